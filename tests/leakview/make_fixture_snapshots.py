#!/usr/bin/env python3
"""Builds the snapshot fixtures in tests/data/snapshots/ from the site definitions below
(a fictional shop server: base build, next build, one extra shard, a clean run), with keys
computed by site_key.py.  make_fixture_snapshots.py tests/data/snapshots"""
import json
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from site_key import site_key

APP = "/opt/shop/bin/shop-server"
DBG = "/usr/lib/x86_64-linux-gnu/libospdebug.so.0"
LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"
STDCXX = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"
APP_BASE = 0x55d0c0a00000
DBG_BASE = 0x7f3a2d0e0000
LIBC_BASE = 0x7f3a2cc00000

def frame(module, base, offset, function=None, file=None, line=None):
    f = {"address": hex(base + offset), "module": module, "module_offset": hex(offset)}
    if function is not None: f["function"] = function
    if file is not None: f["file"] = file
    if line is not None: f["line"] = line
    return f

def runtime_top(entry="operator new(unsigned long)"):
    return [frame(DBG, DBG_BASE, 0x1c2f0, "osp::debug::allocate_tracked(unsigned long, unsigned long, osp::debug::Origin)", "runtime/src/debug/tracked_allocation.cpp", 77),
            frame(DBG, DBG_BASE, 0x2a2b0, entry, "runtime/src/api/new_delete.cpp", 31)]

def bottom():
    return [frame(APP, APP_BASE, 0x9a10, "main", "/src/shop/main.cpp", 57),
            frame(LIBC, LIBC_BASE, 0x271ca, "__libc_start_call_main", None, None),
            frame(APP, APP_BASE, 0x4a25, "_start")]

def site(kind, blocks, bytes_, frames, origin=None, tier="small", size_class=None, sample_base=0x7f3a2c001000):
    size = bytes_ // blocks
    s = {"key": "", "kind": kind, "blocks": blocks, "bytes": bytes_,
         "samples": [{"address": hex(sample_base + i * (size + 64)), "size": size} for i in range(min(blocks, 3))],
         "origin": origin, "frames": frames,
         "tiers": {tier: {"blocks": blocks, "bytes": bytes_}},
         "size_classes": [] if size_class is None else [{"class": size_class[0], "block_bytes": size_class[1], "blocks": blocks}]}
    s["key"] = site_key(s)
    return s

def cache_insert(line):
    return runtime_top() + [
        frame(APP, APP_BASE, 0x2f40, "shop::Cache::insert(std::string const&, shop::Entry const&)", "/src/shop/cache.cpp", line),
        frame(APP, APP_BASE, 0x3b12, "shop::Catalog::load(std::filesystem::path const&)", "/src/shop/catalog.cpp", 140)] + bottom()

def parser_frames():
    return runtime_top("malloc") + [
        frame(APP, APP_BASE, 0x5520, "shop::http::Parser::parse_header(std::string_view)", "/src/shop/http/parser.cpp", 212),
        frame(APP, APP_BASE, 0x5a80, "shop::http::Connection::on_readable()", "/src/shop/http/connection.cpp", 96)] + bottom()

def session_frames(shift):
    return runtime_top() + [
        frame(APP, APP_BASE, 0x6100 + shift, "shop::Session::open(shop::UserId)", "/src/shop/session.cpp", 45 + shift),
        frame(APP, APP_BASE, 0x6420 + shift, "shop::SessionTable::create(shop::UserId)", "/src/shop/session_table.cpp", 81 + shift)] + bottom()

def logger_frames(file):
    return runtime_top("operator new[](unsigned long)") + [
        frame(APP, APP_BASE, 0x7000, "shop::Logger::grow_buffer(unsigned long)", file, 30),
        frame(APP, APP_BASE, 0x7100, "shop::Logger::write(std::string_view)", file, 52)] + bottom()

def registry_frames():
    return runtime_top() + [
        frame(APP, APP_BASE, 0x8000, "shop::Registry::add(shop::Plugin*)", "/src/shop/registry.cpp", 19)] + bottom()

def unsymbolized_frames():
    return [frame(DBG, DBG_BASE, 0x2a2b0), frame("/opt/shop/lib/libpricing.so", 0x7f3a2b000000, 0x11f0),
            frame("/opt/shop/lib/libpricing.so", 0x7f3a2b000000, 0x1e44), frame(APP, APP_BASE, 0x9a10)]

def worker_frames():
    return runtime_top() + [
        frame(APP, APP_BASE, 0x8800, "shop::WorkerPool::spawn(unsigned int)", "/src/shop/worker_pool.cpp", 64),
        frame(APP, APP_BASE, 0x8900, "shop::Server::start()", "/src/shop/server.cpp", 110)] + bottom()

def totals(leaks, suppressed=(0, 0)):
    by = {k: {"blocks": 0, "bytes": 0} for k in ("definite", "indirect", "possible", "reachable")}
    for l in leaks:
        by[l["kind"]]["blocks"] += l["blocks"]; by[l["kind"]]["bytes"] += l["bytes"]
    return {"live_blocks": sum(l["blocks"] for l in leaks) + suppressed[0],
            "live_bytes": sum(l["bytes"] for l in leaks) + suppressed[1],
            "by_kind": by, "suppressed": {"blocks": suppressed[0], "bytes": suppressed[1]}}

def snapshot(pid, leaks, errors, start, end, symbolize=True):
    leaks = sorted(leaks, key=lambda l: (-l["bytes"], l["key"]))
    live = sum(l["bytes"] for l in leaks)
    return {"format": "osp-leak-snapshot", "version": 1,
            "process": {"pid": pid, "executable": APP, "command_line": ["shop-server", "--config", "/etc/shop.toml"],
                        "start_time": start, "snapshot_time": end, "exit_status": 0, "trigger": "exit"},
            "options": {"report_path": "leaks.%p.json", "stack_depth": 16, "quarantine_mb": 64,
                        "halt_on_error": False, "symbolize": symbolize},
            "totals": totals(leaks),
            "counters": {"peak_bytes": 73400320, "failed_allocations": 0,
                         "tiers": [{"tier": "small", "live_bytes": live, "peak_bytes": 5242880, "allocations": 918273, "frees": 918250},
                                   {"tier": "medium", "live_bytes": 0, "peak_bytes": 67108864, "allocations": 12, "frees": 12}]},
            "leaks": leaks, "errors": errors,
            "modules": [{"path": APP, "build_id": "8c1f2e7a9b3d4c5e6f708192a3b4c5d6e7f80912", "base": hex(APP_BASE)},
                        {"path": DBG, "build_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "base": hex(DBG_BASE)},
                        {"path": "/opt/shop/lib/libpricing.so", "build_id": "", "base": "0x7f3a2b000000"},
                        {"path": LIBC, "build_id": "4f7f1d3a2b66c9e2b2e0f1a2b3c4d5e6f7a8b9c0", "base": hex(LIBC_BASE)}]}

base_leaks = [
    site("definite", 2, 4096, cache_insert(88), size_class=(18, 2048)),
    site("definite", 8, 1024, parser_frames(), size_class=(7, 128), sample_base=0x7f3a2c100000),
    site("indirect", 4, 512, session_frames(0), size_class=(7, 128), sample_base=0x7f3a2c200000),
    site("definite", 3, 6144, logger_frames("/src/shop/logger.cpp"), size_class=(18, 2048), sample_base=0x7f3a2c300000),
    site("reachable", 16, 2048, registry_frames(), size_class=(7, 128), sample_base=0x7f3a2c400000),
    site("definite", 1, 256, [], origin={"file": "/src/shop/config.cpp", "line": 40}, size_class=(5, 256), sample_base=0x7f3a2c500000),
    site("possible", 1, 96, unsymbolized_frames(), size_class=(6, 96), sample_base=0x7f3a2c600000),
]
next_leaks = [
    site("definite", 4, 8192, cache_insert(91), size_class=(18, 2048)),                      # grown, line moved
    site("indirect", 4, 512, session_frames(12), size_class=(7, 128), sample_base=0x7f3a2c200000),  # lines moved
    site("definite", 2, 4096, logger_frames("/src/shop/log/logger_impl.cpp"), size_class=(18, 2048), sample_base=0x7f3a2c300000),  # file renamed, shrunk
    site("reachable", 16, 2048, registry_frames(), size_class=(7, 128), sample_base=0x7f3a2c400000),
    site("definite", 1, 256, [], origin={"file": "/src/shop/config.cpp", "line": 42}, size_class=(5, 256), sample_base=0x7f3a2c500000),
    site("possible", 1, 96, unsymbolized_frames(), size_class=(6, 96), sample_base=0x7f3a2c600000),
    site("definite", 5, 640, worker_frames(), size_class=(7, 128), sample_base=0x7f3a2c700000),  # new
]
double_free = {"kind": "double-free", "address": "0x7f3a2c0a1040", "size": 48, "thread": 3,
    "message": "attempting double-free of 48-byte block at 0x7f3a2c0a1040 in thread T3",
    "stacks": {
        "allocation": runtime_top() + [frame(APP, APP_BASE, 0x5c00, "shop::http::Request::Request()", "/src/shop/http/request.cpp", 22)] + bottom(),
        "free": [frame(DBG, DBG_BASE, 0x2b000, "operator delete(void*)", "runtime/src/api/new_delete.cpp", 58),
                 frame(APP, APP_BASE, 0x5d00, "shop::http::Request::~Request()", "/src/shop/http/request.cpp", 40)] + bottom(),
        "current": [frame(DBG, DBG_BASE, 0x2b000, "operator delete(void*)", "runtime/src/api/new_delete.cpp", 58),
                    frame(APP, APP_BASE, 0x5e00, "shop::http::Connection::close()", "/src/shop/http/connection.cpp", 130)] + bottom()}}
overflow = {"kind": "heap-buffer-overflow", "address": "0x7f3a2c0b2080", "size": 64, "thread": 1,
    "message": "write of 1 byte just past a 64-byte block (rear canary damaged), found at free",
    "stacks": {"current": [frame(DBG, DBG_BASE, 0x2b000, "operator delete[](void*)", "runtime/src/api/new_delete.cpp", 66),
                           frame(APP, APP_BASE, 0x7200, "shop::Logger::flush()", "/src/shop/log/logger_impl.cpp", 77)] + bottom()}}

out = sys.argv[1]
def write(name, doc):
    with open(f"{out}/{name}", "w") as f:
        json.dump(doc, f, indent=2); f.write("\n")
write("base.json", snapshot(31337, base_leaks, [], "2026-11-20T09:00:00Z", "2026-11-20T09:14:03Z"))
write("next.json", snapshot(31902, next_leaks, [double_free, overflow], "2026-11-21T09:00:00Z", "2026-11-21T09:12:41Z"))
clean = snapshot(32001, [], [], "2026-11-22T09:00:00Z", "2026-11-22T09:01:00Z")
write("clean.json", clean)
shard = snapshot(32050, [site("definite", 1, 2048, cache_insert(91), size_class=(18, 2048)),
                         site("definite", 2, 256, worker_frames(), size_class=(7, 128), sample_base=0x7f3a2c700000)],
                 [], "2026-11-21T09:00:05Z", "2026-11-21T09:10:00Z")
shard["options"]["stack_depth"] = 24
write("next-shard2.json", shard)

#!/usr/bin/env python3
"""Resolves the module+offset frames that libospdebug writes on Windows (reports and
snapshots) to function, file and line, from the DWARF that mingw-w64 writes with -g:
addr2line takes the virtual address, the image's preferred ImageBase plus the offset
(an RVA), minus one to land inside the call."""
import re
import struct
import subprocess

# "(<module>+0x<offset>)", as frames and SUMMARY lines end.
MODULE_OFFSET = re.compile(r"\(([^()]+)\+0x([0-9a-f]+)\)")


def base_name(path):
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def image_base(program):
    with open(program, "rb") as stream:
        data = stream.read(4096)
    header = struct.unpack_from("<I", data, 0x3C)[0]
    optional = header + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    if magic != 0x20B:
        raise ValueError(f"{program}: not a PE32+ image")
    return struct.unpack_from("<Q", data, optional + 24)[0]


def pe_build_id(program):
    """The build identity libospdebug records for a PE image, computed from the file: the
    CodeView (RSDS) record's GUID in its text order and the age, else the link time stamp
    and SizeOfImage."""
    with open(program, "rb") as stream:
        data = stream.read()
    header = struct.unpack_from("<I", data, 0x3C)[0]
    section_count = struct.unpack_from("<H", data, header + 6)[0]
    time_stamp = struct.unpack_from("<I", data, header + 8)[0]
    optional_size = struct.unpack_from("<H", data, header + 20)[0]
    optional = header + 24
    image_bytes = struct.unpack_from("<I", data, optional + 56)[0]
    debug_rva, debug_size = struct.unpack_from("<II", data, optional + 112 + 6 * 8)
    sections = []
    for index in range(section_count):
        entry = optional + optional_size + 40 * index
        virtual_size, virtual_address, raw_size, raw_offset = struct.unpack_from("<IIII", data, entry + 8)
        sections.append((virtual_address, max(virtual_size, raw_size), raw_offset))

    def file_offset(rva):
        for start, size, raw in sections:
            if start <= rva < start + size:
                return raw + rva - start
        return None

    directory = file_offset(debug_rva) if debug_rva else None
    for index in range(debug_size // 28 if directory is not None else 0):
        kind, size, _, raw = struct.unpack_from("<IIII", data, directory + 28 * index + 12)
        if kind != 2 or size < 24 or data[raw:raw + 4] != b"RSDS":
            continue
        data1, data2, data3 = struct.unpack_from("<IHH", data, raw + 4)
        data4 = data[raw + 12:raw + 20]
        age = struct.unpack_from("<I", data, raw + 20)[0]
        return "%08x%04x%04x%s%08x" % (data1, data2, data3, data4.hex(), age)
    return "%08x%08x" % (time_stamp, image_bytes)


class Resolver:
    def __init__(self, program, addr2line):
        self.program = program
        self.name = base_name(program).lower()
        self.base = image_base(program)
        self.addr2line = addr2line
        self.cache = {}

    def owns(self, module):
        return base_name(module).lower() == self.name

    def resolve(self, offsets):
        """{offset: (function, "file:line")} for return-address offsets in the program."""
        wanted = [offset for offset in offsets if offset not in self.cache]
        if wanted:
            command = [self.addr2line, "-f", "-C", "-e", self.program]
            command += ["0x%x" % (self.base + offset - 1) for offset in wanted]
            lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
            for index, offset in enumerate(wanted):
                function, location = lines[2 * index], lines[2 * index + 1]
                location = location.split(" (discriminator")[0]
                self.cache[offset] = (function, base_name(location))
        return {offset: self.cache[offset] for offset in offsets}

    def report_locations(self, text):
        """The file:line of every module+offset of the program in some report text."""
        offsets = [int(match.group(2), 16) for match in MODULE_OFFSET.finditer(text)
                   if self.owns(match.group(1))]
        resolved = self.resolve(offsets)
        return [resolved[offset][1] for offset in offsets]

    def report_functions(self, text):
        """The function of every module+offset of the program in some report text."""
        offsets = [int(match.group(2), 16) for match in MODULE_OFFSET.finditer(text)
                   if self.owns(match.group(1))]
        resolved = self.resolve(offsets)
        return [resolved[offset][0] for offset in offsets]

    def symbolize_snapshot(self, snapshot):
        """Fills function, file and line into the program's frames of a snapshot's sites."""
        frames = [frame for site in snapshot.get("leaks", []) for frame in site["frames"]
                  if "function" not in frame and self.owns(frame.get("module", ""))]
        resolved = self.resolve([int(frame["module_offset"], 16) for frame in frames])
        for frame in frames:
            function, location = resolved[int(frame["module_offset"], 16)]
            if function != "??":
                frame["function"] = function
            file_name, _, line = location.rpartition(":")
            if file_name and file_name != "??" and line.isdigit():
                frame["file"], frame["line"] = file_name, int(line)

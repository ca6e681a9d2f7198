"""PNG plots for docs/benchmarks.md, drawn with matplotlib (Agg backend: no display).
Returns the file names written; an empty list when matplotlib is missing."""
import os

from .summary import ratio


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
        return pyplot
    except ImportError:
        return None


def _colour_of(name, all_names):
    """One colour per allocator, the same in every plot."""
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f"]
    return palette[all_names.index(name) % len(palette)] if name in all_names else None


def _grouped_bars(pyplot, path, title, labels, series, ylabel, colours, reference_line=None):
    figure, axes = pyplot.subplots(figsize=(max(8, len(labels) * 0.9), 4.5))
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        positions = [slot + index * width for slot in range(len(labels))]
        axes.bar(positions, [value if value is not None else 0 for value in values], width,
                 label=name, color=colours.get(name))
    axes.set_xticks([slot + 0.4 - width / 2 for slot in range(len(labels))])
    axes.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    axes.set_yscale("log")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    if reference_line:
        axes.axhline(reference_line, color="black", linewidth=0.8, linestyle="--")
    axes.legend(fontsize=7, ncol=4)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def draw(table, workloads, allocator_names, image_dir, scaling):
    pyplot = _pyplot()
    if pyplot is None:
        return []
    os.makedirs(image_dir, exist_ok=True)
    labels = [workload.label for workload in workloads]
    colours = {name: _colour_of(name, allocator_names) for name in allocator_names}
    written = []
    for field, file_name, title, ylabel in (
            ("seconds", "time_vs_glibc.png", "Wall time relative to glibc (log scale; lower is better)",
             "time / glibc time"),
            ("peak_rss_kib", "rss_vs_glibc.png", "Peak RSS relative to glibc (log scale)",
             "peak RSS / glibc peak RSS")):
        series = {name: [ratio(table, label, name, "glibc", field) for label in labels]
                  for name in allocator_names if name != "glibc"}
        _grouped_bars(pyplot, os.path.join(image_dir, file_name), title, labels, series,
                      ylabel, colours, reference_line=1.0)
        written.append(file_name)

    figure, axes = pyplot.subplots(1, len(scaling), figsize=(5 * len(scaling), 4))
    axes = axes if len(scaling) > 1 else [axes]
    for axis, (name, by_allocator) in zip(axes, scaling.items()):
        for allocator, points in by_allocator.items():
            threads = [count for count, seconds in points if seconds]
            seconds = [seconds for count, seconds in points if seconds]
            if threads:
                axis.plot(threads, seconds, marker="o", label=allocator,
                          color=colours.get(allocator))
        axis.set_xticks([1, 2, 4])
        axis.set_yscale("log")
        axis.set_xlabel("threads (machine has 2 cores)" if name == "larson" else "producer/consumer pairs")
        axis.set_ylabel("wall time, s (log)")
        axis.set_title(f"{name}: fixed total work")
        axis.legend(fontsize=7, loc="best")
    figure.tight_layout()
    figure.savefig(os.path.join(image_dir, "scaling.png"), dpi=110)
    pyplot.close(figure)
    written.append("scaling.png")
    return written

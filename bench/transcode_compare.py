"""The transcoding pipeline against raw ffmpeg doing the same work (issue 17: at most 1.1×).

    .venv/bin/python bench/transcode_compare.py                # 60 s 1080p30 testsrc2, 3 runs
    .venv/bin/python bench/transcode_compare.py --seconds 5 --runs 1   # a quick look

Makes a clip with ffmpeg's `testsrc2` (1080p, 30 fps, a sine tone), then, interleaved, runs
ours — `media.ffmpeg.probe` and `media.ffmpeg.transcode` with the site's ladder (VIDEO_LADDER),
what the transcode worker runs on a downloaded upload: progress parsed, master playlist and
poster written — and raw ffmpeg given the very command ours builds (`transcode_argv`) plus the
same poster command, with nothing around them. Reports wall seconds of each (median of the
runs, with the spread), the ratio, and the speed against real time.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from media.ffmpeg import ladder_for, probe, tools_find, transcode, transcode_argv

    tools = tools_find()
    work = Path(tempfile.mkdtemp(prefix="transcode-bench-"))
    try:
        clip = work / "clip.mp4"
        subprocess.run(
            [
                tools.ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={args.seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:duration={args.seconds}",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-shortest", str(clip),
            ],
            check=True,
        )  # fmt: skip
        heights = settings.VIDEO_LADDER
        times = {"ours": [], "raw": []}
        for run in range(args.runs):
            out = work / f"ours-{run}"
            out.mkdir()
            start = time.perf_counter()
            source = probe(clip, tools)
            transcode(clip, out, source, heights, tools, on_progress=lambda _: None)
            times["ours"].append(time.perf_counter() - start)

            out = work / f"raw-{run}"
            out.mkdir()
            argv = transcode_argv(clip, out, source, ladder_for(source.height, heights), tools)
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            subprocess.run(
                [
                    tools.ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                    "-ss", f"{min(1.0, source.duration / 2):.2f}", "-i", str(clip),
                    "-frames:v", "1", "-vf", "scale=-2:360", str(out / "poster.jpg"),
                ],
                check=True,
            )  # fmt: skip
            times["raw"].append(time.perf_counter() - start)
            print(f"run {run + 1}: ours {times['ours'][-1]:.1f} s, raw {times['raw'][-1]:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = [o / r for o, r in zip(times["ours"], times["raw"], strict=True)]
    result = {
        "clip": f"{args.seconds} s 1080p30 testsrc2 + sine",
        "ladder": heights,
        "cores": os.cpu_count(),
        "ours_s": times["ours"],
        "raw_s": times["raw"],
        "ratio": ratios,
        "ratio_median": round(statistics.median(ratios), 3),
        "realtime_x": round(args.seconds / statistics.median(times["ours"]), 2),
    }
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

"""The ffmpeg work, as plain functions: find the binaries, probe a file, transcode it to an HLS
ladder with a poster, and measure the result. No Django models, no Celery: a task wraps these.

Debian's ffmpeg + ffprobe where installed; otherwise the ffmpeg of the imageio-ffmpeg wheel,
which has no ffprobe, so probing falls back to parsing `ffmpeg -i` (DESIGN.md §3).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg


class ProbeError(Exception):
    """The file cannot become a lesson video; the message says why, in Chinese."""


class TranscodeError(Exception):
    pass


@dataclass(frozen=True)
class Tools:
    ffmpeg: str
    ffprobe: str | None


def tools_find(ffmpeg_binary: str = "", ffprobe_binary: str = "") -> Tools:
    found = ffmpeg_binary or shutil.which("ffmpeg")
    if not found:
        import imageio_ffmpeg

        found = imageio_ffmpeg.get_ffmpeg_exe()
    return Tools(ffmpeg=found, ffprobe=ffprobe_binary or shutil.which("ffprobe"))


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    has_audio: bool
    format_name: str


def _probe_with_ffprobe(tools: Tools, path: Path) -> dict:
    result = subprocess.run(
        [
            tools.ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise ProbeError("无法识别该文件：它不是可读取的视频文件，或文件已损坏。")
    return json.loads(result.stdout or "{}")


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: ")
_INPUT = re.compile(r"Input #0, ([\w,]+), from")


def _probe_with_ffmpeg(tools: Tools, path: Path) -> dict:
    """`ffmpeg -i` exits 1 (no output named) but prints what it found on stderr."""
    result = subprocess.run(
        [tools.ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True, timeout=120
    )
    text = result.stderr
    fmt = _INPUT.search(text)
    if not fmt:
        raise ProbeError("无法识别该文件：它不是可读取的视频文件，或文件已损坏。")
    streams = []
    video = _VIDEO.search(text)
    if video:
        streams.append(
            {
                "codec_type": "video",
                "codec_name": video.group(1),
                "width": int(video.group(2)),
                "height": int(video.group(3)),
            }
        )
    if _AUDIO.search(text):
        streams.append({"codec_type": "audio"})
    duration = _DURATION.search(text)
    seconds = (
        int(duration.group(1)) * 3600 + int(duration.group(2)) * 60 + float(duration.group(3))
        if duration
        else 0.0
    )
    return {"format": {"format_name": fmt.group(1), "duration": seconds}, "streams": streams}


# Still-image "formats" that ffprobe reports with a video stream but are not lectures.
_IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "gif", "bmp_pipe", "webp_pipe", "tty"}


def probe(path: Path, tools: Tools) -> Probe:
    """What the file is. Raises ProbeError (Chinese reason) for anything that is not a video
    with a picture: text or other non-media, unreadable files, audio only, still images."""
    info = _probe_with_ffprobe(tools, path) if tools.ffprobe else _probe_with_ffmpeg(tools, path)
    fmt = info.get("format", {})
    streams = info.get("streams", [])
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and s.get("disposition", {}).get("attached_pic", 0) == 0
        ),
        None,
    )
    if fmt.get("format_name", "") in _IMAGE_FORMATS or fmt.get("format_name") == "tty":
        raise ProbeError("该文件是图片或文本，不是视频文件。")
    if video is None:
        raise ProbeError("该文件没有视频画面（可能只有声音），不能作为课程视频。")
    duration = float(fmt.get("duration") or video.get("duration") or 0)
    if duration <= 0:
        raise ProbeError("无法读取该视频的时长，文件可能已损坏。")
    return Probe(
        duration=duration,
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        format_name=fmt.get("format_name", ""),
    )


@dataclass(frozen=True)
class Rung:
    height: int
    video_kbps: int
    audio_kbps: int = 96


DEFAULT_BITRATES = {360: 800, 540: 1400, 720: 2500, 1080: 4500}


def ladder_for(source_height: int, heights: list[int]) -> list[Rung]:
    """The rungs of the ladder not taller than the source; a source shorter than every rung gets
    one rung at its own height (never upscaled)."""
    chosen = sorted(h for h in heights if h <= source_height) or [_even(source_height)]
    return [Rung(h, DEFAULT_BITRATES.get(h, max(300, h * 2))) for h in chosen]


@dataclass
class Transcoded:
    master: Path
    playlists: dict[int, Path]  # height -> rendition playlist
    segments: list[Path] = field(default_factory=list)
    poster: Path | None = None
    duration: float = 0.0  # the sum of the segment durations of the first rendition


def _even(n: float) -> int:
    return max(2, int(round(n / 2)) * 2)


def transcode_argv(
    src: Path,
    out_dir: Path,
    source: Probe,
    rungs: list[Rung],
    tools: Tools,
    *,
    keyframe_seconds: int = 2,
    segment_seconds: int = 6,
) -> list[str]:
    """The ffmpeg command for an HLS ladder: H.264 + AAC, a keyframe every `keyframe_seconds`,
    ~`segment_seconds` segments, one playlist per rung and a master playlist."""
    stream = ffmpeg.input(str(src))
    outputs = []
    split = stream.video.filter_multi_output("split", len(rungs))
    for index, rung in enumerate(rungs):
        width = _even(source.width * rung.height / max(source.height, 1))
        video = split.stream(index).filter("scale", width, rung.height)
        streams = [video] + ([stream.audio] if source.has_audio else [])
        rendition_dir = out_dir / f"{rung.height}p"
        rendition_dir.mkdir(parents=True, exist_ok=True)
        outputs.append(
            ffmpeg.output(
                *streams,
                str(rendition_dir / "index.m3u8"),
                vcodec="libx264",
                preset="veryfast",
                profile="main",
                pix_fmt="yuv420p",
                **{
                    "b:v": f"{rung.video_kbps}k",
                    "maxrate": f"{int(rung.video_kbps * 1.07)}k",
                    "bufsize": f"{rung.video_kbps * 2}k",
                },
                force_key_frames=f"expr:gte(t,n_forced*{keyframe_seconds})",
                sc_threshold=0,
                **(
                    {"acodec": "aac", "b:a": f"{rung.audio_kbps}k", "ac": 2}
                    if source.has_audio
                    else {}
                ),
                f="hls",
                hls_time=segment_seconds,
                hls_playlist_type="vod",
                hls_segment_filename=str(rendition_dir / "seg_%05d.ts"),
            )
        )
    merged = ffmpeg.merge_outputs(*outputs).global_args(
        "-hide_banner", "-nostats", "-loglevel", "error", "-progress", "pipe:1"
    )
    return merged.overwrite_output().compile(cmd=tools.ffmpeg)


_EXTINF = re.compile(r"#EXTINF:([\d.]+)")


def playlist_duration(playlist: Path) -> float:
    return round(sum(float(x) for x in _EXTINF.findall(playlist.read_text())), 3)


def master_playlist(rungs: list[Rung], source: Probe, has_audio: bool) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for rung in rungs:
        width = _even(source.width * rung.height / max(source.height, 1))
        bandwidth = (rung.video_kbps + (rung.audio_kbps if has_audio else 0)) * 1000
        codecs = "avc1.4d401f,mp4a.40.2" if has_audio else "avc1.4d401f"
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={width}x{rung.height},"
            f'CODECS="{codecs}"'
        )
        lines.append(f"{rung.height}p/index.m3u8")
    return "\n".join(lines) + "\n"


def transcode(
    src: Path,
    out_dir: Path,
    source: Probe,
    heights: list[int],
    tools: Tools,
    on_progress: Callable[[float], None] | None = None,
) -> Transcoded:
    """Run the ladder, write the master playlist and a poster; report progress 0..1."""
    rungs = ladder_for(source.height, heights)
    argv = transcode_argv(src, out_dir, source, rungs, tools)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.isdigit() and on_progress and source.duration:
            on_progress(min(0.99, int(value) / 1_000_000 / source.duration))
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        raise TranscodeError(f"ffmpeg failed: {stderr[-2000:]}")

    master = out_dir / "master.m3u8"
    master.write_text(master_playlist(rungs, source, source.has_audio))
    poster = out_dir / "poster.jpg"
    at = min(1.0, source.duration / 2)
    subprocess.run(
        [
            tools.ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-ss",
            f"{at:.2f}",
            "-i",
            str(src),
            "-frames:v",
            "1",
            "-vf",
            "scale=-2:360",
            str(poster),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    playlists = {r.height: out_dir / f"{r.height}p" / "index.m3u8" for r in rungs}
    result = Transcoded(
        master=master,
        playlists=playlists,
        segments=sorted(out_dir.glob("*p/seg_*.ts")),
        poster=poster,
        duration=playlist_duration(playlists[rungs[0].height]),
    )
    if on_progress:
        on_progress(1.0)
    return result

"""Courseware video: upload, probe, ffmpeg transcoding to HLS, storage and signed delivery."""

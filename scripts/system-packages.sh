#!/usr/bin/env bash
# Installs ffmpeg (with ffprobe), Chinese fonts and espeak-ng (the spoken attention-check code)
# when run as root on Debian. Elsewhere it says what the platform falls back to (DESIGN.md §3)
# and carries on.
set -u
missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
fc-list 2>/dev/null | grep -qiE 'Noto (Sans|Serif) CJK|WenQuanYi' || missing+=(fonts-noto-cjk)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装系统软件包：${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }; then
    exit 0
  fi
  echo "系统软件包安装失败，改用后备方案。"
fi
for pkg in "${missing[@]}"; do
  case $pkg in
    ffmpeg) echo "未找到 ffmpeg/ffprobe：视频转码改用 imageio-ffmpeg 自带的 ffmpeg，用 \`ffmpeg -i\` 探测视频。" ;;
    espeak-ng) echo "未找到 espeak-ng：学习中的随机验证只提供图片验证码，不提供语音验证码。" ;;
    fonts-noto-cjk) echo "未找到中文字体：请安装 fonts-noto-cjk，否则生成的学时证明 PDF 中文无法显示。" ;;
  esac
done
exit 0

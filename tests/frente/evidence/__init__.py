"""Tests of the camera evidence layer against real ffmpeg and real RTSP streams."""

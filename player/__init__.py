"""The lesson player: playback sessions, heartbeats (websocket + HTTP), quiz attempts, progress."""

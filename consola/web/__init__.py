"""The console's web side (aiohttp): pages in Spanish (and English), server push, ``/alerts``."""

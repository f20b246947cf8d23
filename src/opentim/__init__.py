"""OpenTIM: a self-hosted chat server speaking the Tencent Cloud Chat REST API (v4)."""

__version__ = "0.1.0"

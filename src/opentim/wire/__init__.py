"""msgspec structs with exact wire names, one module per Tencent service."""

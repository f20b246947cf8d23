"""One async function per command, named like the wire command."""

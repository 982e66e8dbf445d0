#!/usr/bin/env bash
# Map contents on this kernel: through the map-element iterator where the kernel has it,
# through the map syscalls where it refuses it, both ways compared where both work.
exec bash "$(dirname "$0")/../integration/map_elems.sh"

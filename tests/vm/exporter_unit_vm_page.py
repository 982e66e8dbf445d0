#!/usr/bin/python3
# exporter_unit_vm.sh: the exporter's /metrics page
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9435/metrics", timeout=20).read().decode())

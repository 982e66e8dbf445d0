# Benchmarks (bench/README.md). Included by the Makefile; on its own:
#   make -f Makefile -f mk/bench.mk bench
# make bench        installs hyperfine, lsof, GNU time if missing, builds, runs bench/run.sh
# make bench-quick  smaller workloads, a few minutes
# make bench-trace  tracing overhead per system call, per attach mode; against bpftrace
# make bench-trace-vm  the same with fentry/kprobe, and --latency, in the VM (TCG: slow)
# make bench-smoke  20x20 task_file: counts agree between bpfdump, /proc and lsof
# make bench-bins   only build the workload generators, readers and floors
ifndef BENCH_MK_INCLUDED
BENCH_MK_INCLUDED := 1

BENCH_BUILD := $(BUILD)/bench
BENCH_BINS  := $(addprefix $(BENCH_BUILD)/,workload proc_fds iter_read floor_run btf_cost \
					 syscall_loop proc_snapshot repair_reader)
BENCH_BPF   := $(BENCH_BUILD)/floor_tcp.bpf.o $(BENCH_BUILD)/floor_task.bpf.o \
	       $(BENCH_BUILD)/floor_tf_path.bpf.o
BENCH_CFLAGS := -g -O2 -std=gnu11 -Wall -Wextra -Wformat=2 -D_GNU_SOURCE $(if $(WERROR),-Werror)
BENCH_MAKEFILES := $(addprefix -f ,$(filter-out %.d,$(MAKEFILE_LIST)))

.PHONY: bench bench-quick bench-smoke bench-bins bench-deps bench-trace bench-trace-vm

$(BENCH_BUILD):
	@mkdir -p $@

$(BENCH_BUILD)/%: bench/%.c | $(BENCH_BUILD)
	@echo '  CC      $<'
	@$(CC) $(BENCH_CFLAGS) -o $@ $< -lbpf $(LDFLAGS)

$(BENCH_BUILD)/%.bpf.o: bench/%.bpf.c $(BUILD)/vmlinux.h | $(BENCH_BUILD)
	@echo '  BPF     $<'
	@$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -c $< -o $@

bench-bins: $(BUILD)/bpfdump $(BENCH_BINS) $(BENCH_BPF) $(BUILD)/tests/floor_task_file.bpf.o \
	    $(BUILD)/tests/snap_target

bench-deps:
	@scripts/install-deps.sh --bench

# deps first, then build, then run: in this order even under make -j
bench bench-quick: bench-deps
	@$(MAKE) --no-print-directory $(BENCH_MAKEFILES) bench-bins
	@BUILD=$(BUILD) bench/run.sh $(if $(filter bench-quick,$@),--quick)
	@BUILD=$(BUILD) bench/trace_overhead.sh

# tracing overhead: ns added to a system call, per attach mode (bench/trace_overhead.sh)
bench-trace: bench-bins
	@BUILD=$(BUILD) bench/trace_overhead.sh

# in a VM with a Debian kernel (fentry, kprobes): bench/trace_vm.sh
bench-trace-vm: bench-bins $(BUILD)/tests/sleep_clock
	@../shared/vm/run --timeout 300 -- env BUILD=$(BUILD) bench/trace_vm.sh

bench-smoke: bench-bins
	@BUILD=$(BUILD) bench/run.sh --smoke

endif

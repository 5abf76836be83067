// A miniature Unikraft-shaped checkout for the layer above the real thing (builder and evaluator): core,
// libs and app with Config.uk files, an app Makefile whose `olddefconfig` resolves .config with the real
// Kconfig resolver (python3-kconfiglib, run by /usr/bin/python3: Debian's package) and whose default goal
// assembles and links a tiny multiboot kernel that QEMU boots for real: it prints its CONFIG_HZ and exits.
// The end-to-end test with an actual Unikraft checkout is unikraft-e2e.test.ts (needs WAYFINDER_UNIKRAFT_DIR).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function makeMiniCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), "wf-mini-unikraft-"));
  const w = (rel: string, text: string) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  w("unikraft/Config.uk", `
config HZ
	int "Timer frequency"
	range 10 1000
	default 100

choice
	prompt "Allocator"
	default LIBUKALLOCBBUDDY

config LIBUKALLOCBBUDDY
	bool "binary buddy"

config LIBTLSF
	bool "TLSF"
endchoice

config LIBUKDEBUG_TRACEPOINTS
	bool "Tracepoints"
`);
  w("libs/lwip/Config.uk", `
menuconfig LIBLWIP
	bool "lwIP"
	default y

if LIBLWIP
config LWIP_NUM_TCPCON
	int "TCP connections"
	default 64

config LWIP_POOLS
	bool "Memory pools"
	depends on LWIP_POOLS_SUPPORTED
endif

config LWIP_POOLS_SUPPORTED
	bool
`);
  w("apps/mini/Config.uk", `
config APPMINI
	bool
	default y
`);
  // A 32-bit multiboot kernel, booted by QEMU's -kernel like Unikraft's x86_64 kvm/qemu platform: it prints
  // a banner and "ops/s: <CONFIG_HZ>" on COM1, then triple-faults so that QEMU (-no-reboot) exits; built
  // with CONFIG_LIBUKDEBUG_TRACEPOINTS=y it halts forever instead (an application that never answers).
  w("apps/mini/boot.S", `#if HZ == 300
#error "HZ=300 is not supported by this app"
#endif
	.section .multiboot
	.align 4
	.long 0x1BADB002
	.long 0
	.long -0x1BADB002
	.section .text
	.globl _start
_start:
	mov $msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	mov $0x3f8, %dx
	out %al, %dx
	jmp 1b
2:
#ifdef STAY
3:	cli
	hlt
	jmp 3b
#endif
	lidt idt0
	int3
	.section .data
idt0:	.word 0
	.long 0
msg:	.ascii "Powered by mini-unikraft\\nmini: ops/s: "
	.ascii HZ_STR
	.asciz "\\n"
`);
  w("apps/mini/link.ld", "ENTRY(_start)\nSECTIONS {\n  . = 0x100000;\n  .text : { *(.multiboot) *(.text) }\n  .data : { *(.data) }\n  .bss : { *(.bss) }\n}\n");
  // Tabs are required by make.
  w("apps/mini/Makefile", [
    "UK_ROOT ?= ../../unikraft",
    "LIBS ?=",
    "-include .config",
    "SRCS := $(UK_ROOT)/Config.uk $(addsuffix /Config.uk,$(subst :, ,$(LIBS))) Config.uk",
    "all:",
    "\tmkdir -p build",
    "\tgcc -m32 -c -DHZ=$(CONFIG_HZ) -DHZ_STR='\"$(CONFIG_HZ)\"' $(if $(filter y,$(CONFIG_LIBUKDEBUG_TRACEPOINTS)),-DSTAY) -o build/boot.o boot.S",
    "\tld -m elf_i386 --no-warn-rwx-segments -T link.ld -o build/mini_qemu-x86_64 build/boot.o",
    "olddefconfig:",
    "\tmkdir -p build",
    "\tprintf 'mainmenu \"mini\"\\n' > build/top.uk",
    "\tfor f in $(SRCS); do printf 'source \"%s\"\\n' \"$$f\" >> build/top.uk; done",
    "\t/usr/bin/python3 -c 'import kconfiglib; k = kconfiglib.Kconfig(\"build/top.uk\", warn=False); k.load_config(\".config\"); k.write_config(\".config\")'",
    ".PHONY: all olddefconfig",
    "",
  ].join("\n"));
  return root;
}

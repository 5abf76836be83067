/**
 * What a tinyconfig kernel needs on top to boot as the harness's guest (QEMU -kernel with a busybox
 * initramfs, console on the 8250 serial port) and run /init scripts. The base of every compile-time
 * evaluation unless the user supplies a whole .config.
 */
/** Options every guest needs whatever the architecture: initramfs, console on the 8250 port, /init scripts. */
const COMMON_GUEST_OPTIONS: Record<string, string> = {
  "64BIT": "y",
  BLK_DEV_INITRD: "y",
  PRINTK: "y",
  TTY: "y",
  SERIAL_8250: "y",
  SERIAL_8250_CONSOLE: "y",
  BINFMT_ELF: "y",
  BINFMT_SCRIPT: "y",
  PROC_FS: "y",
  SYSFS: "y",
  DEVTMPFS: "y",
  DEVTMPFS_MOUNT: "y",
};

export const GUEST_BASE_OPTIONS: Readonly<Record<string, Record<string, string>>> = {
  x86: { ...COMMON_GUEST_OPTIONS },
  // QEMU's virt board: an MMU kernel with the device-tree serial port and compressed instructions.
  riscv: { ...COMMON_GUEST_OPTIONS, MMU: "y", SOC_VIRT: "y", FPU: "y", RISCV_ISA_C: "y", SERIAL_OF_PLATFORM: "y" },
};

/** The image `make` produces for each architecture, relative to the build directory. */
export const KERNEL_IMAGE: Readonly<Record<string, { target: string; path: string }>> = {
  x86: { target: "bzImage", path: "arch/x86/boot/bzImage" },
  riscv: { target: "Image", path: "arch/riscv/boot/Image" },
};

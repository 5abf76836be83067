/**
 * What a tinyconfig kernel needs on top to boot as the harness's guest (QEMU -kernel with a busybox
 * initramfs, console on the 8250 serial port) and run /init scripts. The base of every compile-time
 * evaluation unless the user supplies a whole .config.
 */
export const GUEST_BASE_OPTIONS: Readonly<Record<string, Record<string, string>>> = {
  x86: {
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
  },
  riscv: {
    "64BIT": "y",
    MMU: "y",
    SOC_VIRT: "y",
    FPU: "y",
    RISCV_ISA_C: "y",
    BLK_DEV_INITRD: "y",
    PRINTK: "y",
    TTY: "y",
    SERIAL_8250: "y",
    SERIAL_8250_CONSOLE: "y",
    SERIAL_OF_PLATFORM: "y",
    BINFMT_ELF: "y",
    BINFMT_SCRIPT: "y",
    PROC_FS: "y",
    SYSFS: "y",
    DEVTMPFS: "y",
    DEVTMPFS_MOUNT: "y",
  },
};

/** The image `make` produces for each architecture, relative to the build directory. */
export const KERNEL_IMAGE: Readonly<Record<string, { target: string; path: string }>> = {
  x86: { target: "bzImage", path: "arch/x86/boot/bzImage" },
  riscv: { target: "Image", path: "arch/riscv/boot/Image" },
};

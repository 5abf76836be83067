/**
 * The guest agent: the initramfs's /init, a busybox sh script. It never evaluates a configuration
 * value: runtime values arrive as one file each in the config cpio and are copied with
 * `cat value > /proc/sys/...`; the target path is checked against /proc/sys and /sys first. It reports
 * on ttyS1 with marker lines (see markers.ts) in which text only ever appears hex-encoded.
 *
 * Config layer layout (written by config-layer.ts):
 *   /wf/rt/NNNN.path   target file      /wf/rt/NNNN.value  bytes to write   /wf/rt/NNNN.req  present if required
 *   /wf/setup.sh /wf/start.sh /wf/ready.sh /wf/bench.sh     the job's scripts  /wf/ready-timeout  seconds
 * The kernel's complaint about unknown command-line parameters is sent back (hex) as `bootlog`.
 * Image layout: /wf/modules (module names, one a line), /lib/modules/wf/<name>.ko.
 *
 * Discovery mode (harness/discover): when the config cpio holds /wf/discover/roots (directories, one a
 * line) the agent lists the files writable by root under them and dumps each path and content; when it
 * holds /wf/discover/probes (lines "<seq> <index> <path> <default> <value>", no spaces inside a token)
 * it writes each value, reads it back, restores the default (when the kernel takes it) and reports. A sequence stops at its
 * first value not accepted. Neither mode runs the job's scripts. The probe loop forks once per probe
 * (the read-back) so thousands of probes fit in one boot. Markers of this mode:
 *   @@WF dump <hex chunk>@@   @@WF dumpend <bytes>@@   (records: \036 path \037 content, \035 = unreadable)
 *   @@WF p <index> s@@ (about to write)   @@WF p <index> ok@@   @@WF p <index> differs <readback|x>@@
 *   @@WF p <index> rejected <errno name>@@   @@WF p <index> restore-failed@@ (the default could not be written back)
 */
export const GUEST_INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /var/run /var/log /var/lib /var/tmp /usr/bin /usr/sbin /sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s 2>/dev/null
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
M=/dev/ttyS1
mark() { echo "@@WF $*@@" > $M; }
hexof() { head -c "$2" "$1" 2>/dev/null | od -An -v -tx1 | tr -d ' \\n'; }
finish() {
  mark stage done
  sync
  sleep 0.05
  # A kernel that cannot power off (no ACPI: tinyconfig) turns poweroff into a halt that never returns,
  # so it reboots instead: QEMU runs with -no-reboot, so a reset ends it just the same.
  if [ -d /sys/firmware/acpi ]; then
    poweroff -f
    echo o > /proc/sysrq-trigger
  fi
  reboot -f
}
applog() { tail -c 2048 /tmp/app.log > /tmp/app.tail 2>/dev/null; mark applog $(hexof /tmp/app.tail 2048); }
mark stage agent

if [ -f /wf/modules ]; then
  while read -r m; do
    if insmod /lib/modules/wf/$m.ko 2>/dev/null; then mark module $m ok; else mark module $m failed; fi
  done < /wf/modules
fi
ifconfig lo 127.0.0.1 netmask 255.0.0.0 up 2>/dev/null
# Parameters the kernel did not recognise are logged below the console's level: report them.
dmesg | grep 'Unknown kernel command line' > /tmp/unknown 2>/dev/null
mark bootlog $(hexof /tmp/unknown 4096)
mark stage modules

if [ -f /wf/discover/roots ]; then
  : > /tmp/files
  while read -r root; do
    case "$root" in *..*) continue ;; /proc/sys|/proc/sys/*|/sys/*) ;; *) continue ;; esac
    [ -d "$root" ] && find "$root" -type f -perm -200 2>/dev/null >> /tmp/files
  done < /wf/discover/roots
  sort -u /tmp/files > /tmp/files.sorted
  : > /tmp/dump
  while read -r f; do
    printf '\\036%s\\037' "$f" >> /tmp/dump
    cat "$f" >> /tmp/dump 2>/dev/null || printf '\\035' >> /tmp/dump
  done < /tmp/files.sorted
  od -An -v -tx1 /tmp/dump | tr -d ' \\n' | fold -w 3000 > /tmp/dump.hex
  echo >> /tmp/dump.hex
  while read -r l; do [ -n "$l" ] && mark dump $l; done < /tmp/dump.hex
  mark dumpend $(wc -c < /tmp/dump)
  finish
fi
if [ -f /wf/discover/probes ]; then
  stop=""
  while read -r s i p d v; do
    [ "$s" = "$stop" ] && continue
    case "$p" in *..*) continue ;; /proc/sys/*|/sys/*) ;; *) continue ;; esac
    mark p $i s
    if { echo "$v" > "$p"; } 2>/tmp/err; then
      # one read(2) of the whole file: a sysctl read at a non-zero offset returns nothing, so the
      # shell's byte-by-byte read builtin would see only the first character
      rb=$(cat "$p" 2>/dev/null)
      if [ "$rb" = "$v" ]; then
        mark p $i ok
      else
        case "$rb" in ''|-|*[!0-9-]*|?*-*) rb=x ;; esac
        mark p $i differs $rb
        stop=$s
      fi
    else
      e=""
      read -r e < /tmp/err
      case "$e" in
        *"Invalid argument"*) e=EINVAL ;;
        *"Operation not permitted"*) e=EPERM ;;
        *"Permission denied"*) e=EACCES ;;
        *"out of range"*|*"not representable"*) e=ERANGE ;;
        *"Device or resource busy"*|*"Resource busy"*) e=EBUSY ;;
        *"No such device"*) e=ENODEV ;;
        *"Cannot allocate memory"*|*"Out of memory"*) e=ENOMEM ;;
        *"No space left"*) e=ENOSPC ;;
        *"Input/output error"*|*"I/O error"*) e=EIO ;;
        *"Bad address"*) e=EFAULT ;;
        *"Operation not supported"*|*"Not supported"*) e=EOPNOTSUPP ;;
        *) e=other ;;
      esac
      mark p $i rejected $e
      stop=$s
    fi
    # Some defaults cannot be written back (dirty_bytes 0 means "use the ratio" but writes need >= 1):
    # reported, and the walk goes on; the host says which parameters were left changed.
    if ! { echo "$d" > "$p"; } 2>/dev/null; then mark p $i restore-failed; fi
  done < /wf/discover/probes
  finish
fi

cfgfail=""
for pf in /wf/rt/*.path; do
  [ -e "$pf" ] || continue
  i=\${pf##*/}
  i=\${i%.path}
  p=$(cat "$pf")
  st=ok
  case "$p" in
    *..*) st=bad ;;
    /proc/sys/*|/sys/*) ;;
    *) st=bad ;;
  esac
  if [ "$st" = bad ] || [ ! -f "$p" ]; then
    mark param $i missing
    st=bad
  elif cat "/wf/rt/$i.value" > "$p" 2>/dev/null; then
    if cat "$p" > /tmp/readback 2>/dev/null; then mark param $i written $(hexof /tmp/readback 4096); else mark param $i unreadable; fi
  else
    mark param $i rejected
    st=bad
  fi
  if [ "$st" = bad ] && [ -e "/wf/rt/$i.req" ] && [ -z "$cfgfail" ]; then cfgfail=$i; fi
done
mark stage params
if [ -n "$cfgfail" ]; then
  mark fail config param-$cfgfail
  finish
fi

: > /tmp/app.log
if [ -f /wf/setup.sh ]; then
  sh /wf/setup.sh >> /tmp/app.log 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then mark fail runtime setup-exit-$rc; applog; finish; fi
fi
if [ -f /wf/start.sh ]; then
  mark stage app-start
  sh /wf/start.sh >> /tmp/app.log 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then mark fail runtime start-exit-$rc; applog; finish; fi
fi
if [ -f /wf/ready.sh ]; then
  # Polls back off from 0.1 s to 1 s, so a dead application costs about readyTimeoutS polls, not 10x.
  # The probe's own output is dropped: the log tail should show the application's messages.
  limit=$(cat /wf/ready-timeout 2>/dev/null)
  limit=\${limit:-30}
  waited=0
  d=1
  until sh /wf/ready.sh > /dev/null 2>&1; do
    if [ $waited -ge $((limit * 10)) ]; then mark fail runtime not-ready; applog; finish; fi
    if [ $d -lt 10 ]; then sleep 0.$d; else sleep 1; fi
    waited=$((waited + d))
    d=$((d * 2))
    if [ $d -gt 10 ]; then d=10; fi
  done
fi
mark stage app-ready

mark stage bench-start
sh /wf/bench.sh > /tmp/bench.out 2>&1
rc=$?
mark stage bench-end
mark output $(hexof /tmp/bench.out 65536)
if [ $rc -ne 0 ]; then mark fail benchmark exit-$rc; applog; finish; fi
finish
`;

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
  poweroff -f
  echo o > /proc/sysrq-trigger
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

/** Child process for the orphan test: starts an evaluation that hangs and prints its QEMU's pid. */
import { evaluate } from "../../harness/vm/evaluator";
import { liveQemuPids } from "../../harness/vm/qemu-process";
import { guestTarget } from "./guest-target";

void evaluate({ target: guestTarget("while :; do :; done", { timeouts: { benchmarkS: 300 } }), params: [], config: {} });
const timer = setInterval(() => {
  const pid = liveQemuPids()[0];
  if (pid) {
    console.log(`qemu-pid ${pid}`);
    clearInterval(timer);
  }
}, 100);

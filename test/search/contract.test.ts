// Runs the shared searcher contract (contract.ts) against every built-in searcher, through the registry.
import { createSearcher } from "../../lib/search/registry";
import { searcherContract } from "./contract";

for (const name of ["random", "grid", "bayes"]) {
  searcherContract(name, (options) => createSearcher(name, name === "bayes" ? { ...options, settings: { initial: 5 } } : options));
}

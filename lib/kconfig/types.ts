/**
 * The data model of a Kconfig tree as read by `readKconfigTree`: every configuration symbol with its
 * declared type and the properties of each of its definitions, plus the choice blocks. Expressions
 * (dependencies, defaults, conditions) are kept as the source text: the toolkit reads them for
 * reporting and search-space construction, while the kernel's own `make olddefconfig` stays the
 * authority on what a configuration resolves to.
 */

/** The five value types of Kconfig (`def_bool`/`def_tristate` declare bool/tristate). */
export type KconfigType = "bool" | "tristate" | "string" | "hex" | "int";

export const KCONFIG_TYPES: readonly KconfigType[] = ["bool", "tristate", "string", "hex", "int"];

export interface KconfigLocation {
  /** Path relative to the source tree root, with forward slashes. */
  file: string;
  /** 1-based line of the statement. */
  line: number;
}

export interface KconfigConditional {
  /** The expression text, e.g. `y`, `0x1000`, `X86_64 && SMP`. */
  value: string;
  /** The `if` condition, when the property has one. */
  condition?: string;
}

export interface KconfigRange {
  low: string;
  high: string;
  condition?: string;
}

/** One `config`/`menuconfig` entry: a symbol may be defined several times (e.g. once per arch file). */
export interface KconfigDefinition {
  location: KconfigLocation;
  menuconfig: boolean;
  /** The type stated by this definition, if any. */
  type?: KconfigType;
  prompt?: KconfigConditional;
  /** `depends on` expressions of the entry itself. */
  dependsOn: string[];
  /** Conditions inherited from enclosing `if` blocks and menu/choice `depends on`, outermost first. */
  enclosing: string[];
  defaults: KconfigConditional[];
  /** `select` targets (value = the selected symbol). */
  selects: KconfigConditional[];
  implies: KconfigConditional[];
  ranges: KconfigRange[];
  /** Index into KconfigTree.choices when the entry sits directly in a choice block. */
  choice?: number;
}

export interface KconfigSymbol {
  name: string;
  /**
   * The declared type: the last type stated by any definition, as both the C tools and kconfiglib do;
   * choice members without a type take the choice's type. Undefined for a symbol never given a type.
   */
  type?: KconfigType;
  definitions: KconfigDefinition[];
}

export interface KconfigChoice {
  name?: string;
  location: KconfigLocation;
  prompt?: string;
  type?: KconfigType;
  optional: boolean;
  /** Member symbol names in definition order. */
  members: string[];
  defaults: KconfigConditional[];
  dependsOn: string[];
  enclosing: string[];
}

export interface KconfigTree {
  /** Absolute path of the source tree root ($srctree). */
  root: string;
  /** "arch:<SRCARCH>" for a tree reached from ./Kconfig, "all" for every Kconfig* file. */
  scope: string;
  /** Files read, relative to root, in reading order. */
  files: string[];
  /** Defined symbols by name, in order of first definition. */
  symbols: Map<string, KconfigSymbol>;
  choices: KconfigChoice[];
  mainmenu?: string;
}

/** Counts by type (Table 1 of the paper). `total` excludes typeless symbols. */
export interface KconfigCounts {
  bool: number;
  tristate: number;
  string: number;
  hex: number;
  int: number;
  total: number;
  /** Typed symbols with at least one prompt (the user-visible ones). */
  prompted: number;
  /** Defined symbols never given a type (kconfiglib ignores them as well; 0 in Linux 6.1). */
  typeless: number;
}

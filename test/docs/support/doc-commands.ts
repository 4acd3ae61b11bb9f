/**
 * The shell commands the docs give an operator (kubectl, its Argo Rollouts plugin, argocd,
 * flux), read out of Markdown and parsed into the objects they name, so that a test can hold
 * each one against dist/.
 */

/** One command, where it was written, and the section (heading) around it. */
export interface DocCommand {
  readonly file: string;
  readonly section: string;
  readonly text: string;
  /** The words before the first pipe, shell quotes removed. */
  readonly argv: readonly string[];
}

const TOOLS = /^(kubectl|argocd|flux) /;

/**
 * Splits a command line into words the way a shell would for these commands (no expansion): a
 * word may join quoted and bare parts, as in `-o jsonpath='{.items[*]}'`.
 */
export function words(line: string): string[] {
  const out: string[] = [];
  const part = /'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+)|(\s+)/g;
  let word: string | undefined;
  for (const match of line.matchAll(part)) {
    if (match[4] !== undefined) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + (match[1] ?? match[2] ?? match[3]!);
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** Every command of `markdown`: the lines of fenced blocks, and inline code spans. */
export function docCommands(file: string, markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  let section = '';
  const add = (text: string) => {
    const command = text.replace(/\s+#\s.*$/, '').trim();
    if (!TOOLS.test(command)) return;
    const argv = words(command.split(/\s\|\s/)[0]!);
    commands.push({ file, section, text: command, argv });
  };
  let fenced = false;
  let prose: string[] = [];
  // Inline spans may wrap across the lines of a paragraph.
  const flush = () => {
    for (const span of prose.join('\n').matchAll(/`([^`]+)`/g))
      add(span[1]!.replace(/\s*\n\s*/g, ' '));
    prose = [];
  };
  for (const line of markdown.replace(/\\\n\s*/g, ' ').split('\n')) {
    if (/^(```|~~~)/.test(line)) {
      fenced = !fenced;
      if (fenced) flush();
      continue;
    }
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (fenced) add(line);
    else if (heading) {
      flush();
      section = heading[1]!.trim();
    } else prose.push(line);
  }
  flush();
  return commands;
}

/** An object a command names. `namespace` is undefined for cluster-scoped kinds. */
export interface NamedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

/** kubectl's short and plural names for the kinds the docs use. */
const KINDS: Readonly<Record<string, string>> = Object.fromEntries(
  (
    [
      ['Deployment', 'deploy', 'deployment', 'deployments'],
      ['Service', 'svc', 'service', 'services'],
      ['HorizontalPodAutoscaler', 'hpa', 'horizontalpodautoscaler'],
      ['NetworkPolicy', 'netpol', 'networkpolicy', 'networkpolicies'],
      ['ServiceMonitor', 'servicemonitor', 'servicemonitors'],
      ['CronJob', 'cj', 'cronjob', 'cronjobs'],
      ['Job', 'job', 'jobs'],
      ['Secret', 'secret', 'secrets'],
      ['Pod', 'po', 'pod', 'pods'],
      ['Endpoints', 'ep', 'endpoints'],
      ['Certificate', 'cert', 'certificate', 'certificates'],
      ['ClusterIssuer', 'clusterissuer', 'clusterissuers'],
      ['PriorityClass', 'pc', 'priorityclass', 'priorityclasses'],
      ['StorageClass', 'sc', 'storageclass', 'storageclasses'],
      ['ResourceQuota', 'quota', 'resourcequota', 'resourcequotas'],
      ['VerticalPodAutoscaler', 'vpa', 'verticalpodautoscaler'],
      ['Rollout', 'ro', 'rollout', 'rollouts'],
      ['ConfigMap', 'cm', 'configmap', 'configmaps'],
      ['Ingress', 'ing', 'ingress', 'ingresses'],
      ['Kustomization', 'kustomization', 'ks'],
      ['Application', 'app'],
    ] as const
  ).flatMap(([kind, ...aliases]) => aliases.map((alias) => [alias, kind])),
);

/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set(['ClusterIssuer', 'PriorityClass', 'StorageClass', 'Namespace']);

/** The kind kubectl means by `word` (`deploy`, `svc`…), or undefined when the docs use no such. */
export function kindOf(word: string): string | undefined {
  return KINDS[word.toLowerCase()];
}

function option(argv: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    for (const name of names) {
      if (arg === name) return argv[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

/** Words that are not options or option values. */
function positional(argv: readonly string[]): string[] {
  const valued = new Set([
    '-n',
    '--namespace',
    '-l',
    '--selector',
    '-o',
    '-c',
    '-f',
    '--type',
    '-p',
  ]);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (valued.has(arg)) i += 1;
    else if (!arg.startsWith('-')) out.push(arg);
  }
  return out;
}

/**
 * The objects a command names by kind and name (placeholders such as `<pod>` left out), in the
 * namespace it gives (`-n`), else `defaultNamespace`.
 */
export function namedObjects(argv: readonly string[], defaultNamespace: string): NamedObject[] {
  const [tool, ...rest] = argv;
  const words = positional(rest);
  const named = (kind: string | undefined, name: string | undefined, ns: string | undefined) =>
    kind && name && !name.includes('<') && !name.includes('…')
      ? [{ kind, name, namespace: CLUSTER_SCOPED.has(kind) ? undefined : ns }]
      : [];
  if (tool === 'argocd') {
    // argocd app <verb> <name>; Applications live in Argo CD's namespace.
    return words[0] === 'app'
      ? named('Application', words[2], option(rest, '-N', '--app-namespace'))
      : [];
  }
  if (tool === 'flux') {
    // flux <verb> kustomization <name> [-n flux-system]
    const ns = option(rest, '-n', '--namespace') ?? 'flux-system';
    return named(kindOf(words[1] ?? ''), words[2], ns);
  }
  const ns = option(rest, '-n', '--namespace') ?? defaultNamespace;
  if (words[0] === 'argo' && words[1] === 'rollouts') {
    // kubectl argo rollouts <verb> [rollout] <name>
    const args = words.slice(3);
    const name = args[0] === 'rollout' || args[0] === 'rollouts' ? args[1] : args[0];
    return ['list', 'version', 'dashboard'].includes(words[2] ?? '')
      ? []
      : named('Rollout', name, ns);
  }
  const verb = words[0];
  // What `create` and `apply` name is what they make, not what must exist.
  const refs = ['create', 'apply'].includes(verb ?? '')
    ? []
    : words.slice(verb === 'rollout' ? 2 : 1);
  const objects: NamedObject[] = [];
  for (let i = 0; i < refs.length; i += 1) {
    const ref = refs[i]!;
    const slash = /^([a-z]+)\/(.+)$/.exec(ref);
    if (slash) objects.push(...named(kindOf(slash[1]!), slash[2], ns));
    else if (i === 0 && kindOf(ref) && refs[1]) objects.push(...named(kindOf(ref), refs[1], ns));
  }
  const from = option(rest, '--from');
  const source = from && /^([a-z]+)\/(.+)$/.exec(from);
  if (source) objects.push(...named(kindOf(source[1]!), source[2], ns));
  return objects;
}

/** The option `--tail` as given, or undefined. */
export function tailOption(argv: readonly string[]): string | undefined {
  return option(argv, '--tail');
}

/** The label selector a command gives with `-l`/`--selector`, or undefined. */
export function selectorOption(argv: readonly string[]): string | undefined {
  return option(argv, '-l', '--selector');
}

// @ts-check
/**
 * The module-graph rules `npm run lint` enforces (dependency-cruiser). ESLint checks each file;
 * this checks how the files import each other.
 *
 * Type-only imports count: `tsPreCompilationDeps` reads the TypeScript source before the
 * compiler erases `import type`. A cycle made of type imports does nothing at run time, but the
 * modules still cannot be read, changed or tested one without the other, which is why the
 * cycles this rule was added for (among `charts/constructs/web-*.ts`, and between two bench
 * modules the bench's redesign removed) were type imports on one side. ESLint's `import-x/no-cycle` skips type
 * imports with no option to count them, so it would not have seen either.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module imports, directly or through others, a module that imports it back. ' +
        'Move what both need into a third module that imports neither.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'one-service-per-image',
      severity: 'error',
      comment:
        "A service imports another service's module, which its image does not hold: each " +
        'image copies only build/apps/<service> and build/apps/shared (Dockerfile). Move what ' +
        'both need into apps/shared.',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/shared/' },
      to: { path: '^apps/', pathNot: ['^apps/shared/', '^apps/$1/'] },
    },
    {
      name: 'shared-knows-no-service',
      severity: 'error',
      comment: 'apps/shared ships in both images and so imports neither service.',
      from: { path: '^apps/shared/' },
      to: { path: '^apps/', pathNot: '^apps/shared/' },
    },
    {
      name: 'apps-stand-alone',
      severity: 'error',
      comment:
        'The services ship alone in their images: they never import the charts, tests or bench.',
      from: { path: '^apps/' },
      to: { path: '^(charts|test|bench|imports)/' },
    },
    {
      name: 'bench-not-to-test',
      severity: 'error',
      comment:
        'The bench is a tool of its own: it runs outside the test runner and must not change ' +
        'when a test or its support does. Move what both use to a folder neither owns, such as ' +
        'scripts/stand-ins/.',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      // Keeps the cycle rule honest: an import the resolver cannot follow is an edge the
      // rule cannot see, so a broken resolution setting fails here instead of passing silently.
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file (or a package that is not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // What TypeScript compiles (tsconfig.json's `include`); generated and installed code is not ours.
    exclude: { path: '^(node_modules|build|dist|dist-[^/]*|coverage)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // Resolves `./x.js` to `./x.ts` as TypeScript's NodeNext resolution does.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    // A cruise takes seconds; a cache would also answer test/lint's fixtures from a stale graph.
    cache: false,
  },
};

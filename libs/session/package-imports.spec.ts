import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// What the published package imports, read from its build (libs/session/dist, which `npm test`
// builds first with `npm run build:lib`), against what its package.json declares: a module the
// build imports but the package does not declare works here (the workspace hoists every
// devDependency) and fails in a user's app. Each .js and .d.ts file is parsed with the
// TypeScript compiler, so a specifier in a comment or a string is not taken for an import.

const libDir = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(libDir, 'dist');
const rel = (file: string) => relative(libDir, file);

interface PackageJson {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  main?: string;
  types?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const pkg = JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8')) as PackageJson;
const dependencies = Object.keys(pkg.dependencies ?? {});
const peers = Object.keys(pkg.peerDependencies ?? {});
const optionalPeers = peers.filter((name) => pkg.peerDependenciesMeta?.[name]?.optional);
const declared = new Set([...dependencies, ...peers]);

// The optional peers each entry point may reach (through its code or its types); any other
// entry point reaches none. An app on the cookie, memory or file store installs no Redis client.
const optionalPeersOf: Record<string, string[]> = { './redis': ['ioredis'] };

// A declared package the build need not import. reflect-metadata: Nest loads it (@nestjs/common
// and @nestjs/core import it), and the build relies on the global API it installs: tsc's
// decorator helpers call Reflect.decorate/Reflect.metadata, and the service injection reads
// Reflect.getMetadata. So it is a peer (one copy, the app's), used without an import; the
// exemption holds only while the build calls that API.
const usedThroughGlobals: Record<string, (use: FileModules) => boolean> = {
  'reflect-metadata': (use) => use.reflectMetadataApi,
};

// Optional peers declared for the versions they are tested at, never imported: the module reaches
// the HTTP platform through Nest's HttpAdapterHost (getType(), getInstance(), use()), so an app
// on either platform installs and loads only its own (src/platform/).
const reachedThroughNest = ['@nestjs/platform-express', '@nestjs/platform-fastify'];

interface ModuleRef {
  specifier: string;
  how: string;
  line: number;
}
interface FileModules {
  refs: ModuleRef[];
  /** Imports whose module is not a string literal: they cannot be checked. */
  unreadable: ModuleRef[];
  /** Calls of the Reflect.*Metadata API that reflect-metadata adds. */
  reflectMetadataApi: boolean;
}

function modulesOf(file: string): FileModules {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    false,
    file.endsWith('.d.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const result: FileModules = { refs: [], unreadable: [], reflectMetadataApi: false };
  const lineOf = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (how: string, at: ts.Node, name: ts.Node | undefined) => {
    if (name !== undefined && ts.isStringLiteralLike(name)) {
      result.refs.push({ specifier: name.text, how, line: lineOf(at) });
    } else {
      result.unreadable.push({ specifier: name?.getText(source) ?? '', how, line: lineOf(at) });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add('import', node, node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add('export from', node, node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add('import = require()', node, node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      add('import() type', node, ts.isLiteralTypeNode(argument) ? argument.literal : argument);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      add('declare module', node, node.name);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const how =
        callee.kind === ts.SyntaxKind.ImportKeyword
          ? 'import()'
          : ts.isIdentifier(callee) && callee.text === 'require'
            ? 'require()'
            : ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve'
              ? ts.isIdentifier(callee.expression) && callee.expression.text === 'require'
                ? 'require.resolve()'
                : ts.isMetaProperty(callee.expression)
                  ? 'import.meta.resolve()'
                  : undefined
              : undefined;
      if (how !== undefined) add(how, node, node.arguments[0]);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Reflect' &&
      /^(decorate|metadata|\w*Metadata(Keys)?)$/.test(node.name.text)
    ) {
      result.reflectMetadataApi = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const reference of source.typeReferenceDirectives) {
    result.refs.push({
      specifier: reference.fileName,
      how: '/// <reference types>',
      line: source.getLineAndCharacterOfPosition(reference.pos).line + 1,
    });
  }
  for (const reference of source.referencedFiles) {
    const specifier = reference.fileName.startsWith('.')
      ? reference.fileName
      : `./${reference.fileName}`;
    result.refs.push({
      specifier,
      how: '/// <reference path>',
      line: source.getLineAndCharacterOfPosition(reference.pos).line + 1,
    });
  }
  return result;
}

type Target =
  | { kind: 'builtin' }
  | { kind: 'package'; name: string }
  | { kind: 'file'; file: string }
  | { kind: 'bad'; why: string };

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string | undefined {
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts[1] ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0] || undefined;
}

/**
 * What a module reference of a dist file points to; a relative one as Node resolves it from a .js
 * file and as TypeScript does from a .d.ts file (`./x.js` is `./x.d.ts` there).
 */
function targetOf(from: string, ref: ModuleRef): Target {
  const { specifier } = ref;
  if (ref.how === '/// <reference types>') {
    // `/// <reference types="node" />` stands for Node's own typings (@types/node).
    return specifier === 'node' ? { kind: 'builtin' } : { kind: 'package', name: specifier };
  }
  if (specifier === '.' || specifier === '..' || /^\.\.?\//.test(specifier)) {
    const types = from.endsWith('.d.ts');
    let path = resolve(dirname(from), specifier);
    if (ref.how !== '/// <reference path>') {
      // ESM resolves no missing extension and no directory: a relative import names its file.
      if (!/\.[cm]?js$|\.json$/.test(specifier)) {
        return { kind: 'bad', why: 'names no file (an ES module import needs the .js extension)' };
      }
      if (types) path = path.replace(/\.([cm]?)js$/, '.d.$1ts');
    }
    const inside = relative(distDir, path);
    if (inside.split(sep)[0] === '..' || isAbsolute(inside)) {
      return {
        kind: 'bad',
        why: `leaves dist (→ ${rel(path)}), which is all the package ships of its code`,
      };
    }
    if (!existsSync(path) || !statSync(path).isFile()) {
      return { kind: 'bad', why: `points to ${rel(path)}, which is not in the build` };
    }
    return { kind: 'file', file: path };
  }
  if (isBuiltin(specifier)) return { kind: 'builtin' };
  if (specifier.startsWith('node:')) return { kind: 'bad', why: 'is not a module of Node' };
  if (specifier.startsWith('#')) {
    return { kind: 'bad', why: 'is a subpath import; package.json has no "imports"' };
  }
  if (specifier.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    return { kind: 'bad', why: 'is an absolute path or URL' };
  }
  const name = packageName(specifier);
  if (name === undefined) return { kind: 'bad', why: 'names no package' };
  return { kind: 'package', name };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((file) => statSync(file).isFile())
    .sort();
}

function readBuild() {
  if (!existsSync(join(distDir, 'index.js'))) {
    throw new Error(
      `libs/session/dist has no build (no index.js): run \`npm run build:lib\` first (\`npm test\` does).`,
    );
  }
  const files = filesUnder(distDir).filter((file) => /\.(js|d\.ts)$/.test(file));
  const modules = new Map(files.map((file) => [file, modulesOf(file)]));
  return { files, modules };
}
const build = readBuild();

/** `dist/x.js:3 import 'y'` and the source it was built from. */
function where(file: string, ref: ModuleRef): string {
  const source = rel(file)
    .replace(/^dist\//, 'src/')
    .replace(/(\.d\.ts|\.js)$/, '.ts');
  return `${rel(file)}:${ref.line} ${ref.how} '${ref.specifier}' (from ${source})`;
}

function fail(problems: string[], advice: string): void {
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${advice}`);
}

/** Each exports entry and its targets by condition (a plain string target is `default`). */
const entries = Object.entries(pkg.exports).map(([subpath, value]) => ({
  subpath,
  targets: typeof value === 'string' ? { default: value } : value,
}));

interface Reach {
  file: string;
  ref: ModuleRef;
  chain: string[];
}

/** Every package an entry file reaches through relative imports, with the chain of files to it. */
function packagesReached(entry: string): Map<string, Reach> {
  const reached = new Map<string, Reach>();
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = chains.get(file) ?? [];
    for (const ref of build.modules.get(file)?.refs ?? []) {
      const target = targetOf(file, ref);
      if (target.kind === 'file' && !chains.has(target.file)) {
        chains.set(target.file, [...chain, target.file]);
        queue.push(target.file);
      } else if (target.kind === 'package' && !reached.has(target.name)) {
        reached.set(target.name, { file, ref, chain });
      }
    }
  }
  return reached;
}

describe('the package imports only what its package.json declares (read from the build)', () => {
  it('the build has a file for each source and no other', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(libDir, 'tsconfig.lib.json'),
      undefined,
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('tsconfig.lib.json cannot be read');
    const expected = new Set(
      config.fileNames.flatMap((source) => {
        const base = join(distDir, relative(join(libDir, 'src'), source)).replace(/\.ts$/, '');
        return [`${base}.js`, `${base}.d.ts`];
      }),
    );
    const problems = [
      ...[...expected]
        .filter((file) => !build.modules.has(file))
        .map((file) => `${rel(file)} is missing`),
      ...build.files
        .filter((file) => !expected.has(file))
        .map((file) => `${rel(file)} has no source`),
    ];
    fail(problems, 'The build is out of date: run `npm run build:lib`.');
  });

  it('every module it imports is its own file, a Node builtin, or a declared dependency or peer', () => {
    const problems: string[] = [];
    for (const [file, use] of build.modules) {
      for (const ref of use.unreadable) {
        problems.push(
          `${where(file, ref)}: the module is not a string literal, so it cannot be checked`,
        );
      }
      for (const ref of use.refs) {
        const target = targetOf(file, ref);
        if (target.kind === 'bad') problems.push(`${where(file, ref)}: ${target.why}`);
        if (target.kind === 'package' && !declared.has(target.name)) {
          problems.push(
            target.name === pkg.name
              ? `${where(file, ref)}: the package imports itself by name; use a relative import`
              : `${where(file, ref)}: ${target.name} is neither a dependency nor a peerDependency of ${pkg.name}`,
          );
        }
      }
    }
    fail(
      problems,
      'Declare each package in libs/session/package.json (dependencies for what the package ' +
        'brings, peerDependencies for what the app provides), or stop importing it; relative ' +
        'imports must stay in dist and name a built file.',
    );
  });

  it('each entry point reaches only the optional peers it is for', () => {
    const problems: string[] = [];
    for (const { subpath, targets } of entries) {
      const allowed = optionalPeersOf[subpath] ?? [];
      const reached = new Map<string, Reach>();
      for (const target of Object.values(targets)) {
        const file = join(libDir, target);
        if (!build.modules.has(file)) continue;
        for (const [name, reach] of packagesReached(file)) {
          if (!reached.has(name)) reached.set(name, reach);
        }
      }
      for (const name of optionalPeers) {
        const reach = reached.get(name);
        if (reach !== undefined && !allowed.includes(name)) {
          problems.push(
            `'${subpath}' reaches the optional peer ${name}: ${reach.chain.map(rel).join(' → ')}, ` +
              `at ${where(reach.file, reach.ref)}`,
          );
        }
        if (reach === undefined && allowed.includes(name)) {
          problems.push(`'${subpath}' is the entry point for ${name} but does not reach it`);
        }
      }
    }
    for (const subpath of Object.keys(optionalPeersOf)) {
      if (!(subpath in pkg.exports)) {
        problems.push(`optionalPeersOf names '${subpath}', which is not in exports`);
      }
    }
    fail(
      problems,
      'An app that does not use an optional peer must not load it nor need its types: ' +
        'import it only from the entry point made for it.',
    );
  });

  it('every dependency and peer it declares is used', () => {
    const imported = new Set<string>();
    for (const [file, use] of build.modules) {
      for (const ref of use.refs) {
        const target = targetOf(file, ref);
        if (target.kind === 'package') imported.add(target.name);
      }
    }
    const problems: string[] = [];
    for (const name of declared) {
      if (imported.has(name)) {
        if (reachedThroughNest.includes(name))
          problems.push(`${name} is imported: the module must reach it through Nest's adapter`);
        continue;
      }
      if (reachedThroughNest.includes(name)) {
        if (!optionalPeers.includes(name)) problems.push(`${name} must be an optional peer`);
        continue;
      }
      const usedThrough = usedThroughGlobals[name];
      if (usedThrough === undefined) {
        problems.push(`${name} is declared but the build never imports it`);
      } else if (![...build.modules.values()].some(usedThrough)) {
        problems.push(
          `${name} is declared as used through its globals, but the build no longer uses them`,
        );
      }
    }
    for (const name of Object.keys(usedThroughGlobals)) {
      if (!declared.has(name)) {
        problems.push(`usedThroughGlobals names ${name}, which is not declared`);
      }
    }
    for (const name of Object.keys(pkg.peerDependenciesMeta ?? {})) {
      if (!peers.includes(name)) {
        problems.push(`peerDependenciesMeta names ${name}, which is not a peer`);
      }
    }
    for (const name of dependencies) {
      if (peers.includes(name)) problems.push(`${name} is both a dependency and a peer`);
    }
    fail(
      problems,
      'Remove the declaration from libs/session/package.json, or say in this test why it stays.',
    );
  });

  it('every exports target, main and types exist, and engines.node is set', () => {
    const problems: string[] = [];
    const targets = entries.flatMap(({ subpath, targets }) =>
      Object.entries(targets).map(([condition, target]) => ({
        field: `exports['${subpath}'].${condition}`,
        target,
      })),
    );
    if (pkg.main !== undefined) targets.push({ field: 'main', target: pkg.main });
    if (pkg.types !== undefined) targets.push({ field: 'types', target: pkg.types });
    for (const { field, target } of targets) {
      if (typeof target !== 'string' || !target.startsWith('./')) {
        problems.push(`${field} is ${JSON.stringify(target)}: a target is a path starting with ./`);
      } else if (!existsSync(join(libDir, target))) {
        problems.push(`${field} is ${target}, which does not exist`);
      }
    }
    for (const { subpath, targets } of entries) {
      if (subpath.endsWith('.json')) continue;
      if (!('types' in targets)) problems.push(`exports['${subpath}'] has no types`);
      if (!('default' in targets)) problems.push(`exports['${subpath}'] has no default`);
      if (Object.keys(targets)[0] !== 'types')
        problems.push(`exports['${subpath}'].types must come first`);
    }
    if (!pkg.engines?.node?.trim()) problems.push('engines.node is not set');
    fail(
      problems,
      'Fix libs/session/package.json, or run `npm run build:lib` if the build is missing.',
    );
  });
});

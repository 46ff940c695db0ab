/**
 * The Chromium that ships inside an npm package (@sparticuz/chromium: a headless-shell build with
 * its own NSS libraries, SwiftShader and fonts), for machines that have no system Chromium, so
 * that `npm ci && npm test` needs no apt-get.
 *
 * The package's own `executablePath()` unpacks into the shared /tmp and trusts whatever it finds
 * there, so two test workers starting at once, or a run killed half-way, would leave a broken
 * browser that every later run uses. Here it is unpacked once per package version under
 * node_modules/.cache, into a private folder renamed into place only when complete.
 */
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';
import { extract } from 'tar-fs';

export interface BundledChromium {
  executablePath: string;
  /** What the browser process needs in its environment: its libraries and its fonts. */
  env: Record<string, string>;
}

// The package's exports hide its package.json and bin/ folder, so they are found by path.
const PACKAGE_ROOT = fileURLToPath(
  new URL('../../node_modules/@sparticuz/chromium/', import.meta.url),
);
const CACHE = fileURLToPath(
  new URL('../../node_modules/.cache/afterword-chromium/', import.meta.url),
);

export async function bundledChromium(): Promise<BundledChromium> {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const home = join(CACHE, version);
  if (!existsSync(join(home, 'chromium'))) await unpack(join(PACKAGE_ROOT, 'bin'), home);
  return {
    executablePath: join(home, 'chromium'),
    env: {
      // The package's NSS and expat, which a bare Debian or Ubuntu does not have.
      LD_LIBRARY_PATH: [join(home, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH]
        .filter(Boolean)
        .join(':'),
      FONTCONFIG_FILE: join(home, 'fonts.conf'),
    },
  };
}

async function unpack(bin: string, home: string): Promise<void> {
  const staging = `${home}.${process.pid}.${randomUUID()}`;
  mkdirSync(staging, { recursive: true });
  try {
    const chromium = join(staging, 'chromium');
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(chromium),
    );
    chmodSync(chromium, 0o755);
    // SwiftShader's GL libraries are looked up beside the executable.
    await untar(join(bin, 'swiftshader.tar.br'), staging);
    await untar(join(bin, 'al2023.tar.br'), join(staging, 'al2023'));
    await untar(join(bin, 'fonts.tar.br'), join(staging, 'fonts'));
    // The package's fonts.conf names Lambda's folders; this one names ours, then the system's.
    writeFileSync(
      join(staging, 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        `  <dir>${join(home, 'fonts', 'fonts')}</dir>`,
        '  <dir>/usr/share/fonts</dir>',
        `  <cachedir>${join(home, 'fonts-cache')}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    try {
      renameSync(staging, home);
    } catch (error) {
      // Another worker finished first: its copy is as good as ours.
      if (!existsSync(join(home, 'chromium'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function untar(archive: string, into: string): Promise<void> {
  await pipeline(createReadStream(archive), createBrotliDecompress(), extract(into));
}

// Rewrites the cross-issuer matrix in docs/SECURITY.md from the table the matrix test drives
// (examples/quickstart/test/issuer-matrix.ts). The test fails while the two differ.
//   node --import tsx scripts/security-matrix.ts
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withMatrix } from '../examples/quickstart/test/issuer-matrix';

const file = path.join(__dirname, '..', 'docs', 'SECURITY.md');
writeFileSync(file, withMatrix(readFileSync(file, 'utf8')));
console.log(`updated ${path.relative(process.cwd(), file)}`);

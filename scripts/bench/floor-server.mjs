// The floor of being polled: a bare node:http server that reads each request's body and answers
// the bytes in the file named by argv[2], nothing else. Run with the sidecar's node flags; it
// prints its port. What the plugin costs above this is the plugin's; this much is Node's and the kernel's.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const answer = readFileSync(process.argv[2]);
createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
    res.end(answer);
  });
}).listen(0, '127.0.0.1', function () {
  process.stdout.write(`${this.address().port}\n`);
});

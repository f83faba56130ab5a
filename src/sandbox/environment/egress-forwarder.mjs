// Runs inside the sandbox, whose network namespace has only a loopback interface: it accepts TCP
// connections on 127.0.0.1:<port> and pipes each one, byte for byte, to the host's egress proxy
// through a unix socket bound into the sandbox. All policy lives on the host side.
import { connect, createServer } from 'node:net';

const [socketPath, portText] = process.argv.slice(2);
const port = Number(portText);

const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});

server.on('error', (error) => {
  process.stderr.write(`baton egress forwarder: ${error.message}\n`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  // The line tells the waiting shell that the port is open; then stdout is closed for good.
  process.stdout.write('ready\n', () => process.stdout.destroy());
});

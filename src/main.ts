/**
 * `npm start`: read the config, check that Docker answers, serve the plugin API, and shut down
 * gracefully on SIGTERM/SIGINT.
 */
import { helpText } from './config/help-text.ts';
import { hostNetworkExposure } from './config/listener-exposure.ts';
import { type Config, ConfigError, commandLineAction, loadConfig } from './config/load-config.ts';
import { pluginVersion } from './config/version.ts';
import { BodyValidator } from './contract/validate-body.ts';
import { DockerBackend } from './docker/docker-backend.ts';
import { DockerCli, DockerCliError } from './docker/engine/docker-cli.ts';
import { detectEngine, type EngineKind, PodmanCliError } from './docker/engine/engine-kind.ts';
import { checkStateDirVisible } from './docker/engine/state-dir-probe.ts';
import { BUILTIN_PAUSE_IMAGE } from './docker/lifecycle/pause-image.ts';
import { createApp } from './http/app.ts';
import { listen } from './http/listen.ts';
import { metricsFastPath } from './http/metrics-fast-path.ts';
import { statusFastPath } from './http/status-fast-path.ts';
import { log, setLogLevel } from './log.ts';
import { PluginMetrics } from './metrics/plugin-metrics.ts';
import { UsageMetrics } from './metrics/usage-metrics.ts';

function fail(sentence: string): never {
  process.stderr.write(`interlink-docker-plugin: ${sentence}\n`);
  process.exit(1);
}

/**
 * Which engine answers (Docker, or Podman through its Docker-compatible socket); fails with a
 * sentence saying what to do when there is no docker CLI, no daemon answering, or the CLI is podman's.
 */
async function checkDocker(docker: DockerCli): Promise<EngineKind> {
  try {
    return await detectEngine(docker);
  } catch (err) {
    if (err instanceof PodmanCliError) fail(err.message);
    if (err instanceof DockerCliError && err.exitCode === null) {
      fail(
        `the docker CLI "${docker.bin}" was not found: install Docker (e.g. apt-get install docker.io) or set PLUGIN_DOCKER to its path.`,
      );
    }
    const reason = err instanceof DockerCliError ? err.reason : String(err);
    fail(
      `the Docker daemon does not answer (${reason}): start it (e.g. dockerd or systemctl start docker), or point DOCKER_HOST at one.`,
    );
  }
}

async function main(): Promise<void> {
  const action = commandLineAction();
  if (action === 'help') return void process.stdout.write(helpText(pluginVersion()));
  if (action === 'version') return void process.stdout.write(`${pluginVersion()}\n`);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`${err.message}`);
    throw err;
  }
  setLogLevel(config.logLevel);
  const docker = new DockerCli(
    config.dockerBin,
    {
      callMs: config.dockerTimeoutSeconds * 1000,
      pullMs: config.pullTimeoutSeconds * 1000,
    },
    config.dockerConfigDir,
  );
  // Loaded only when on: the OpenTelemetry SDK would cost every plugin start-up time and memory.
  const tracing = config.tracing.enabled
    ? (await import('./telemetry/tracing.ts')).startTracing(config.tracing)
    : undefined;
  if (tracing) {
    docker.observers.push(tracing.dockerObserver);
    log.info('sending traces', { endpoint: config.tracing.endpoint, serviceName: tracing.serviceName });
  }
  const engineKind = await checkDocker(docker);
  log.info('engine', {
    flavour: engineKind.flavour,
    version: engineKind.version,
    rootless: engineKind.rootless,
  });

  const backend = new DockerBackend({ config, docker, engineKind, log: log.child({ component: 'docker' }) });
  const metrics = new PluginMetrics({ view: backend.view, gpus: () => backend.gpuUsage() });
  docker.observers.push(metrics.dockerObserver);
  const usage = new UsageMetrics({ read: () => backend.usage(), live: (uid) => backend.view.hasPod(uid) });
  metrics.addPrepared({ text: () => usage.bytes(), deflated: () => usage.deflated() });
  // From here the backend runs a `docker events`: exiting without closing it would orphan it.
  const failStarted = async (sentence: string): Promise<never> => {
    await backend.close().catch(() => {});
    return fail(sentence);
  };
  try {
    await backend.start();
  } catch (err) {
    return failStarted(`could not start the Docker backend: ${(err as Error).message}`);
  }
  try {
    await checkStateDirVisible(docker, config.stateDir, config.pauseImage || BUILTIN_PAUSE_IMAGE);
  } catch (err) {
    return failStarted((err as Error).message);
  }

  const shutdown = new AbortController();
  const validator = new BodyValidator();
  const app = createApp({
    backend,
    bodyLimitBytes: config.bodyLimitBytes,
    authToken: config.authToken,
    shutdownSignal: shutdown.signal,
    maxConcurrentOps: config.maxConcurrentOps,
    validator,
    observers: tracing ? [metrics.httpObserver, tracing.httpObserver] : [metrics.httpObserver],
    metrics: (gzip) => metrics.exposition(gzip),
  });
  // interLink's polls and Prometheus's scrapes skip the app, except with tracing on: their spans
  // are the app's to make.
  const fastStatus = tracing
    ? undefined
    : statusFastPath({
        backend,
        validator,
        bodyLimitBytes: config.bodyLimitBytes,
        authToken: config.authToken,
        observe: metrics.observeRequest,
      });
  const fastMetrics = (authToken: string | undefined) =>
    tracing
      ? undefined
      : metricsFastPath({
          metrics: (gzip) => metrics.exposition(gzip),
          authToken,
          observe: metrics.observeRequest,
        });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app, config.listen, config.socketMode, [fastStatus, fastMetrics(config.authToken)]);
  } catch (err) {
    return failStarted(
      `could not listen on ${config.listen.kind === 'unix' ? `unix:${config.listen.path}` : `${config.listen.host}:${config.listen.port}`}: ${(err as Error).message}`,
    );
  }
  // Scrapes and probes on their own port: the API may be a unix socket, or behind a token.
  const probes = config.metricsListen
    ? await listen(
        createApp({
          backend,
          bodyLimitBytes: config.bodyLimitBytes,
          routes: ['/healthz', '/readyz'],
          metrics: (gzip) => metrics.exposition(gzip),
          authToken: config.metricsToken,
          openPaths: ['/healthz', '/readyz'],
          tokenSetting: 'PLUGIN_METRICS_TOKEN',
        }),
        config.metricsListen,
        config.socketMode,
        fastMetrics(config.metricsToken),
      ).catch((err: Error) => failStarted(`could not listen on PLUGIN_METRICS_LISTEN: ${err.message}`))
    : undefined;
  const exposure = hostNetworkExposure(config);
  if (exposure) log.warn(exposure);
  log.info('serving the interLink plugin API', {
    address: server.address,
    metricsAddress: probes?.address,
    instance: config.instance,
    pods: backend.view.podUids().length,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down: no new requests, finishing those in flight', { signal });
    const closed = server.close(config.shutdownTimeoutSeconds * 1000);
    void probes?.close(1000);
    // Followed log streams would hold the server open until their containers end.
    shutdown.abort();
    await closed;
    await backend.close();
    await tracing?.shutdown();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();

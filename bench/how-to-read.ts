/** The "How to read this" section the bench writes into bench/RESULTS.md under its tables. */
export const HOW_TO_READ = `## How to read this

- **What runs.** The compiled services (\`node build/apps/<service>/server.js\`, as in
  production: no npm, no tsx) run as child processes configured only by their environment, with
  \`LOG_LEVEL=info\`: every request writes its JSON log line to a pipe the bench drains (counting
  the lines, not reading them, so that the load generator beside it is not slowed). birdImage
  calls a stand-in Unsplash on 127.0.0.1 that answers after \`BENCH_UPSTREAM_LATENCY_MS\`
  (default 50 ms); bird calls that birdImage. The load generator (autocannon) runs inside the
  bench process and competes with the server for the 2 cores, exactly as it does for the bare
  server, so the ratios are fair while absolute numbers depend on the load generator too.
- **As in a pod.** Each service runs as its container in \`dist/\` does: in a memory cgroup
  limited to the container's memory limit, and with the \`NODE_OPTIONS\` of its ConfigMap; the bare
  server it is compared with runs the same way. This matters: Node sizes its heap from the memory
  limit it finds, so a service run outside one sizes its heap from the whole machine and uses
  memory, and CPU, as no pod does. The bench needs root to make the cgroups (\`/sys/fs/cgroup\`,
  v1 or v2); where it cannot, the "Pods" line above says so and the limits do not hold.
- **Bare \`node:http\`.** A plain \`node:http\` server, in its own process like the services,
  answering the same bytes (one real answer of the service, fetched first); in scenario 3 it makes
  the same one upstream call per request and nothing else. It is the ceiling on this machine:
  **× bare** is the service's req/s divided by the bare server's, same run, same load, measured
  in alternating rounds so that a noisy moment hits both.
- **Flat out vs at a fixed rate.** *Flat out*: 64 connections, each sending its next request as
  soon as the previous answer arrives, so the server is saturated and latency is queueing:
  mean latency = connections ÷ throughput (Little's law). At 64 connections a p99 of 5 ms needs
  well over 12,800 req/s, which even the bare server does not reach on 2 shared cores; read the
  flat-out p99 as a throughput figure. *At a fixed rate*: one request due every millisecond over
  up to 64 keep-alive connections, its latency counted from when it was due (no coordinated
  omission): latency below saturation, what a client sees on a normally loaded pod.
- **CPU µs/req**: user + system CPU time of the server process divided by the requests it
  answered. It is the figure least disturbed by other work on the machine: compare runs, and
  before/after a change, with it. It is higher at a fixed rate than flat out (fewer requests
  share each wake-up and system call).
- **Other work on the machine**: cores busy outside the bench during each scenario (\`/proc/stat\`
  minus the bench's own processes). Above about 0.3 core, p99 and req/s of that scenario are
  unreliable (a stall of a few tens of milliseconds lands in the p99), CPU µs/req much less so.
  Run the bench twice and keep the quieter run.
- **Scenario 3** measures what a cache miss costs birdImage over a bare proxy (got, validation,
  cache, breaker, logs, metrics). In production misses are capped by Unsplash's 50 requests an
  hour, so this is a cost, not a capacity need.
- **Scenario 4**: birdImage, warmed up with requests that call nothing, against an upstream that
  accepts and never answers. *Breaker closed*: 64 requests sent together over 64 keep-alive
  connections already open (as bird or an ingress would send them), all before the breaker
  opens (5 failures open it), so each waits for its deadline. A request's calls end 5 % of
  \`UPSTREAM_TIMEOUT_MS\` (at most 100 ms) before it, to leave time for the answer, so each
  answer should come a little under the deadline, the last of the 64 latest. *Breaker open*:
  fresh names, each answering the default image without a call; "calls that reached the dead
  upstream" must stay at 64. All of it runs within the 10 s before the breaker's first trial
  call.
- **Start to ready**: spawn to the first 200 of \`/readyz\`, polled every millisecond once the
  port is logged; median of 5 runs after one unmeasured run. The floor is the same measurement of
  a bare \`node -e\` server that only listens: what no change to the services can go below.
- **Peak RSS** is \`VmHWM\` of the service process, under its pod's memory limit. About 45 MB of
  it are file pages, the \`node\` binary's own (a bare \`node -e 0\` has 40 MB of RSS): what the
  code and the heap settings can change is the rest.
- **Synth** runs \`npm run synth\` with \`-- --output\` a temporary folder, and the app behind it
  (\`app:\` of cdk8s.yaml) with \`CDK8S_OUTDIR\` a temporary folder (the script gets it too), so
  \`dist/\` is never touched; the difference between the two is what the script adds: npm's own
  start-up, and the cdk8s CLI's when the script goes through it. Both write the same files. A
  synth that fails (charts being edited) shows as "failed" and the rest of the bench still runs.
- **Targets** are goals, not tests: the last table says which are met on this run and by how
  much the others are missed; "Profiles and fixes" below says what the profiles showed.`;

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseConfigText, type SwitchyardConfig } from '../../src/config/index.js';

// Every object `kubectl kustomize` renders is checked against the Kubernetes API's own OpenAPI
// schemas, as shipped (compiled to ajv validators) by the kubernetes-models package; then the
// parts that must agree with each other and with the gateway's config are checked by name.

type KubernetesObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // Manifests are read as plain YAML; the schema check above types them.
  spec?: any;
  data?: Record<string, string>;
};

const root = new URL('../../deploy/k8s/', import.meta.url).pathname;
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const skip = kubectl.error ? 'kubectl is not installed: the manifests cannot be rendered here' : false;

function render(folder: string): KubernetesObject[] {
  const result = spawnSync('kubectl', ['kustomize', `${root}${folder}`], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as KubernetesObject);
}

/** `apps/v1` → `kubernetes-models/apps/v1/<Kind>`; the core group `v1` → `kubernetes-models/v1/<Kind>`. */
async function validate(object: KubernetesObject): Promise<string | undefined> {
  const path = `kubernetes-models/${object.apiVersion}/${object.kind}`;
  let module: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    module = await import(path);
  } catch {
    return `${object.kind} ${object.metadata.name}: no schema for ${object.apiVersion} ${object.kind}`;
  }
  const Model = module[object.kind];
  if (!Model) return `${object.kind} ${object.metadata.name}: no schema for ${object.kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return `${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
  }
}

function find(objects: KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  assert.ok(found, `no ${kind} ${name} rendered`);
  return found;
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The environment variable names the config reads secrets and URLs from. */
function namedVariables(config: SwitchyardConfig): string[] {
  const names = Object.values(config.models).flatMap((model) =>
    'apiKeyEnv' in model && model.apiKeyEnv ? [model.apiKeyEnv] : [],
  );
  if (config.storage.requestLog === 'postgres') names.push(config.storage.postgres.urlEnv);
  if (config.state.store === 'redis') names.push(config.state.redis.urlEnv);
  if (config.auth.adminKeyEnv) names.push(config.auth.adminKeyEnv);
  return names;
}

describe('Kubernetes manifests', { skip }, () => {
  it('rejects a malformed object, so a pass below means something', async () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: '80' }] }] } },
      },
    };
    assert.match((await validate(broken)) ?? '', /containerPort must be integer/);
    assert.match(
      (await validate({ ...broken, apiVersion: 'apps/v9' })) ?? '',
      /no schema for apps\/v9 Deployment/,
    );
  });

  for (const folder of ['base', 'overlays/example']) {
    describe(folder, () => {
      const objects = skip ? [] : render(folder);

      it('renders objects that the Kubernetes API schemas accept', async () => {
        const kinds = objects.map((object) => object.kind).sort();
        for (const kind of [
          'ConfigMap',
          'Deployment',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'Service',
        ]) {
          assert.ok(kinds.includes(kind), `no ${kind} in ${kinds.join(', ')}`);
        }
        const errors = (await Promise.all(objects.map(validate))).filter((error) => error !== undefined);
        assert.deepEqual(errors, []);
      });

      it('runs the gateway non-root, probed on /ready and /health, its config and secrets wired', () => {
        const deployment = find(objects, 'Deployment', 'switchyard');
        const pod = deployment.spec.template.spec;
        const container = pod.containers[0];
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(container.readinessProbe.httpGet.path, '/ready');
        assert.equal(container.livenessProbe.httpGet.path, '/health');
        assert.ok(container.resources.requests.cpu && container.resources.limits.memory);

        const configVolume = pod.volumes.find((volume: { configMap?: unknown }) => volume.configMap);
        const configMap = find(objects, 'ConfigMap', configVolume.configMap.name);
        const mount = container.volumeMounts.find(
          (each: { name: string }) => each.name === configVolume.name,
        );
        const configEnv = container.env.find((each: { name: string }) => each.name === 'SWITCHYARD_CONFIG');
        assert.equal(configEnv.value, `${mount.mountPath}/switchyard.yaml`);
        // The gateway's own strict schema accepts the shipped config.
        const config = parseConfigText(configMap.data?.['switchyard.yaml'] as string, `${folder} ConfigMap`);

        assert.ok(
          pod.terminationGracePeriodSeconds * 1000 > config.server.shutdownGraceMs,
          'the kubelet must not kill a pod that is still draining',
        );
        assert.equal(container.ports[0].containerPort, config.server.port);
        const fromSecrets = new Set(
          container.env
            .filter((each: { valueFrom?: { secretKeyRef?: unknown } }) => each.valueFrom?.secretKeyRef)
            .map((each: { name: string }) => each.name),
        );
        for (const name of namedVariables(config))
          assert.ok(fromSecrets.has(name), `${name} is not set from a Secret`);
      });

      it('points the Service, autoscaler and disruption budget at the gateway pods', () => {
        const deployment = find(objects, 'Deployment', 'switchyard');
        const podLabels = deployment.spec.template.metadata.labels;
        const service = find(objects, 'Service', 'switchyard');
        assert.ok(matches(service.spec.selector, podLabels));
        assert.equal(
          service.spec.ports[0].targetPort,
          deployment.spec.template.spec.containers[0].ports[0].name,
        );
        const autoscaler = find(objects, 'HorizontalPodAutoscaler', 'switchyard');
        assert.deepEqual(
          [autoscaler.spec.scaleTargetRef.kind, autoscaler.spec.scaleTargetRef.name],
          ['Deployment', 'switchyard'],
        );
        assert.equal(deployment.spec.replicas, undefined, 'the autoscaler owns the replica count');
        const budget = find(objects, 'PodDisruptionBudget', 'switchyard');
        assert.ok(matches(budget.spec.selector.matchLabels, podLabels));
      });
    });
  }

  it('serves the example local model from the vLLM Deployment through its Service', () => {
    const objects = render('overlays/example');
    const configMap = objects.find((object) => object.kind === 'ConfigMap') as KubernetesObject;
    const config = parseConfigText(configMap.data?.['switchyard.yaml'] as string, 'example ConfigMap');
    const local = config.models.local as { baseUrl: string; model: string };
    const url = new URL(local.baseUrl);
    const service = find(objects, 'Service', url.hostname);
    assert.equal(service.spec.ports[0].port, Number(url.port));
    const vllm = find(objects, 'Deployment', 'vllm');
    assert.ok(matches(service.spec.selector, vllm.spec.template.metadata.labels));
    const container = vllm.spec.template.spec.containers[0];
    assert.ok(container.args.includes(`--served-model-name=${local.model}`));
    assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
  });
});

import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import { imageRefs } from '../../charts/image-refs.js';
import type { ConfigMap, Deployment, Service } from '../support/k8s-types.js';
import {
  forPodman,
  genericSecret,
  objectNamed,
  objectsOf,
  serviceImages,
  serviceRoutes,
  servicesObjects,
  withConfigMapData,
} from './play-manifests.js';

// What the container test plays, checked without a container engine (part of `npm test`).

const objects = servicesObjects();

describe('what the container test plays', () => {
  it('runs the images dist/ names, which the workflows push', () => {
    const refs = imageRefs(production);
    expect(serviceImages(objects)).toEqual({
      'bird-image': refs['bird-image'].ref,
      bird: refs.bird.ref,
    });
  });

  it('routes each Service port to the container port its targetPort names', () => {
    expect(serviceRoutes(objects)).toEqual([
      { service: 'bird-image', port: 80, deployment: 'bird-image', targetPort: 4200 },
      { service: 'bird', port: 80, deployment: 'bird', targetPort: 4201 },
    ]);
    // bird calls birdImage by the Service's name, on the Service's port.
    const bird = objectNamed<ConfigMap>(objects, 'ConfigMap', 'bird');
    expect(bird.data?.BIRD_IMAGE_URL).toBe('http://bird-image');
  });

  it('refuses a Service that selects no Deployment', () => {
    const broken = structuredClone(objects);
    objectNamed<Service>(broken, 'Service', 'bird').spec.selector = { app: 'nothing' };
    expect(() => serviceRoutes(broken)).toThrowError('Service bird selects no Deployment');
  });

  it('changes one ConfigMap key as an overlay would, and nothing else', () => {
    const changed = withConfigMapData(objects, 'bird-image', { UNSPLASH_API_URL: 'http://x' });
    const before = objectNamed<ConfigMap>(objects, 'ConfigMap', 'bird-image');
    const after = objectNamed<ConfigMap>(changed, 'ConfigMap', 'bird-image');
    expect(after.data).toEqual({ ...before.data, UNSPLASH_API_URL: 'http://x' });
    expect(changed.filter((object) => object !== after)).toEqual(
      objects.filter((object) => object !== before),
    );
  });

  it('marks Secret volumes not optional for podman, and changes nothing else', () => {
    const played = forPodman(objects);
    const volumes = (all: typeof objects) =>
      objectsOf<Deployment>(all, 'Deployment').flatMap((d) => d.spec.template.spec.volumes ?? []);
    const secrets = volumes(played).filter((volume) => volume.secret);
    expect(secrets.map((volume) => volume.secret?.optional)).toEqual([false]);
    expect(volumes(objects).filter((volume) => volume.secret)[0]?.secret?.optional).toBe(true);
    const unmarked = structuredClone(played);
    for (const volume of volumes(unmarked)) if (volume.secret) volume.secret.optional = true;
    expect(unmarked).toEqual(objects);
  });

  it('makes the Secret `kubectl create secret generic --from-file` makes', () => {
    // `printf 'k-123\n' | kubectl -n aviary create secret generic unsplash
    //   --from-file=access-key=/dev/stdin --dry-run=client -o yaml` (kubectl 1.32)
    expect(genericSecret('unsplash', 'aviary', { 'access-key': 'k-123\n' })).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'unsplash', namespace: 'aviary' },
      data: { 'access-key': 'ay0xMjMK' },
    });
  });
});

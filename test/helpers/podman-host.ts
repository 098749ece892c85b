/** Where scripts/ensure-podman.sh serves rootful Podman's Docker-compatible API. */
export const PODMAN_ROOTFUL_HOST = 'unix:///run/podman/podman.sock';

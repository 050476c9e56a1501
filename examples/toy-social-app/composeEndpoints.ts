import { isSocialEndpoint, type SocialEndpoint } from "../toy-social-api/server";
import { ToyAppError } from "./errors";

/**
 * Which toy-API endpoints a build calls. The list is fixed inside the measured file, as
 * `SOCIAL_API_ENDPOINTS: a,b` in the app-compose's `docker_compose_file`, so a build that reads
 * other data has another compose hash (examples/README.md).
 */
const ENDPOINTS_LINE = /^\s*SOCIAL_API_ENDPOINTS:\s*(\S+)\s*$/m;

export function socialApiEndpointsOf(appCompose: unknown): SocialEndpoint[] {
  const composeFile = (appCompose as { docker_compose_file?: unknown } | null)?.docker_compose_file;
  if (typeof composeFile !== "string") throw new ToyAppError("APP_COMPOSE_ENDPOINTS_INVALID", "app-compose has no docker_compose_file");
  const match = ENDPOINTS_LINE.exec(composeFile);
  if (!match?.[1]) throw new ToyAppError("APP_COMPOSE_ENDPOINTS_INVALID", "docker_compose_file sets no SOCIAL_API_ENDPOINTS");
  const names = match[1].split(",");
  for (const name of names) if (!isSocialEndpoint(name)) throw new ToyAppError("APP_COMPOSE_ENDPOINTS_INVALID", `SOCIAL_API_ENDPOINTS names an unknown endpoint "${name}"`);
  return names as SocialEndpoint[];
}

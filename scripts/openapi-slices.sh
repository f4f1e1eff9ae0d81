#!/usr/bin/env bash
# Regenerates every connector's OpenAPI slice from the vendors' full descriptions: GitHub's from the
# @octokit/openapi devDependency, the others from ../shared/specs (SPECS overrides; its README names each
# document's source, version and licence). Run after a connector starts calling a new route.
set -euo pipefail
cd "$(dirname "$0")/.."
SPECS="${SPECS:-../shared/specs}"
slice() { node scripts/openapi-slice.ts "$@"; }

slice connectors/github --from npm:@octokit/openapi/generated/api.github.com.json \
  --source "GitHub's REST API description, npm package @octokit/openapi, generated/api.github.com.json" \
  --revision "@octokit/openapi $(node -p "require('@octokit/openapi/package.json').version"), OpenAPI 3.0.3" --licence MIT
slice connectors/auth0 --from "$SPECS/auth0-management-api-oas.json" \
  --source "github.com/auth0/docs-v2, main/docs/oas/management/v2/management-api-oas.json (published at auth0.com/docs/oas/management/v2/management-api-oas.json)" \
  --revision "commit 7025885d (2026-06-25), OpenAPI 3.1.0" --licence "MIT (auth0/docs-v2)"
slice connectors/asana --from "$SPECS/asana_oas.yaml" \
  --source "github.com/Asana/openapi, defs/asana_oas.yaml" --revision "commit fc9f8dcf (2026-06-11), OpenAPI 3.0.0" --licence Apache-2.0
slice connectors/redmine --from "$SPECS/redmine-openapi.yaml" \
  --source "github.com/d-yoshi/redmine-openapi, openapi.yaml (unofficial, tested against Redmine 7.0.0)" --revision "7.0.0-r2, OpenAPI 3.0.3" --licence MIT
slice connectors/zendesk --from "$SPECS/zendesk/users.yml" --from "$SPECS/zendesk/groups.yml" \
  --from "$SPECS/zendesk/group-memberships.yml" --from "$SPECS/zendesk/search.yml" \
  --source "github.com/api-evangelist/zendesk, openapi/_original/*-openapi-original.yml (a split of Zendesk's published oas.yaml)" \
  --revision "commit aaa54800" --licence "Zendesk's API terms; the authority is developer.zendesk.com"

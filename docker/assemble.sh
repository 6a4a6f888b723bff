#!/bin/sh
# The file set of the production image, copied from a built checkout (`npm run build:src`) into an empty directory.
#
# usage: docker/assemble.sh <built checkout> <target directory>
#
# The Dockerfile's final stage copies exactly what this writes (plus production node_modules), and
# test/integration/image/production-image.test.ts assembles the same set and starts the bus from it. The set:
#   package.json                     the bus finds its root (repo-files.ts) by it; npm is not run in the image
#   dist/src/**/*.js                 the compiled output of each source file of src/ (no tests, maps or declarations)
#   src/**/<not .ts>                 runtime assets beside the code (the admin console under src/http/console/ui)
#   contracts/{openapi,wsdl,xsd}     contracts the bus validates against and serves
#   config/bus.yaml, routes.yaml     the production configuration (never bus.development.yaml: demo keys)
# Nothing of testkit/, test/, bench/, chaos/, no development key, no data directory.
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 <built checkout> <target directory>" >&2
  exit 2
fi
from=$(cd "$1" && pwd)
to=$2
mkdir -p "$to"
to=$(cd "$to" && pwd)
if [ -n "$(ls -A "$to")" ]; then
  echo "$to is not empty" >&2
  exit 2
fi

# copy <path relative to the checkout>
copy() {
  if [ ! -f "$from/$1" ]; then
    echo "missing $1 (build src/ first: npm run build:src)" >&2
    exit 1
  fi
  mkdir -p "$to/$(dirname "$1")"
  cp "$from/$1" "$to/$1"
}

cd "$from"
copy package.json
find src -type f -name '*.ts' ! -name '*.test.ts' ! -name '*.d.ts' | sort | while read -r source; do
  copy "dist/${source%.ts}.js"
done
find src -type f ! -name '*.ts' | sort | while read -r asset; do copy "$asset"; done
find contracts/openapi contracts/wsdl contracts/xsd -type f | sort | while read -r contract; do copy "$contract"; done
copy config/bus.yaml
copy config/routes.yaml

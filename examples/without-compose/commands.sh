#!/bin/sh
# The same two containers without Compose: you create the network and attach each container.
set -e
docker network create demo-net
docker run -d --name redis --network demo-net redis:7
# (a script is quicker than redis's start-up: wait until it answers)
until docker exec redis redis-cli ping >/dev/null 2>&1; do sleep 0.2; done
docker run --rm --network demo-net redis:7 redis-cli -h redis ping   # prints PONG
# Clean up: containers first (-v: with the anonymous volume redis:7 makes for /data), then the network.
docker rm -f -v redis
docker network rm demo-net

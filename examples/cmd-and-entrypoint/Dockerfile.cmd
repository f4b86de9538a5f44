FROM debian:bookworm-slim
# CMD: the default command. `docker run IMAGE date` runs `date` instead.
CMD ["echo", "hello from CMD"]

# leadflow in a container: one static-ish binary (SQLite is compiled in
# through cgo) on a small Debian base, running as a user of its own.
#
#   docker build -t leadflow .
#   docker run -p 8080:8080 -v leadflow-data:/data leadflow
#   docker run -e LEADFLOW_DATABASE_URL=postgres://... -p 8080:8080 leadflow
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/leadflow ./cmd/leadflow

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /data --create-home --uid 10001 leadflow
COPY --from=build /out/leadflow /usr/local/bin/leadflow
USER leadflow
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
ENTRYPOINT ["/usr/local/bin/leadflow"]
CMD ["serve", "--addr", ":8080", "--db", "/data/leadflow.db"]

# syntax=docker/dockerfile:1
# Build: docker build -t plusone .
# Run:   docker run -p 8080:8080 -v plusone-data:/data --env-file plusone.env plusone
# Check: docker run --rm --env-file plusone.env plusone check --live
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /out/plusone ./cmd/plusone
# An empty data directory owned by the runtime user.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/plusone /plusone
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV PLUSONE_ADDR=:8080 \
    PLUSONE_DATABASE_URL=sqlite:/data/plusone.db
# The embedded database lives in /data: mount a volume there to keep it.
VOLUME /data
EXPOSE 8080
# No shell in the image: the binary checks its own /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/plusone", "healthcheck"]
ENTRYPOINT ["/plusone"]
CMD ["serve"]

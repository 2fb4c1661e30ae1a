# syntax=docker/dockerfile:1
# Multi-stage build: a static pagebot binary on a minimal, non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/pagebot ./cmd/pagebot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pagebot /usr/local/bin/pagebot
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV PAGEBOT_DATA_DIR=/data \
    PAGEBOT_HTTP_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
# No shell or curl in the image: pagebot checks itself through /readyz.
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 CMD ["/usr/local/bin/pagebot", "health"]
ENTRYPOINT ["/usr/local/bin/pagebot"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# The silo: Orleans silo co-hosting the portal, the dashboard and the health endpoints.
# Build context is the repository root:
#   docker build -f deploy/docker/silo.Dockerfile -t procurement-silo:local .
# Ignore rules: deploy/docker/silo.Dockerfile.dockerignore (BuildKit reads <Dockerfile>.dockerignore).

# Build on the build machine's own architecture; the RID below picks the target's native libraries.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src

# Restore first, from the project files only, so a code change does not invalidate the package layer.
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY Contracts/Contracts.csproj Contracts/
COPY Optimizer/Optimizer.csproj Optimizer/
COPY Grains/Grains.csproj Grains/
COPY BidPortal/BidPortal.csproj BidPortal/
COPY Silo/Silo.csproj Silo/
# OR-Tools ships its native solver per runtime identifier: publishing for one RID copies only that
# platform's native libraries into the output (113 MB; a portable publish carries every platform's,
# 402 MB).
RUN case "${TARGETARCH:-amd64}" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && echo "$rid" > /tmp/rid \
 && dotnet restore Silo/Silo.csproj -r "$rid"

COPY Contracts/ Contracts/
COPY Optimizer/ Optimizer/
COPY Grains/ Grains/
COPY BidPortal/ BidPortal/
COPY Silo/ Silo/
# Grains embeds the application schema scripts (deploy/sql/{sqlite,postgresql}) for DbUp.
COPY deploy/sql/ deploy/sql/
# Optimizer embeds the award input's JSON Schema (docs/award-input.schema.json), which its command
# line validates against.
COPY docs/ docs/
# Optimizer is an executable referenced through Grains: a RID-specific publish builds it twice (with
# and without the RID) and both builds carry Procurement.Optimizer.{deps,runtimeconfig}.json and an
# apphost. The silo only loads its assembly, which is the same in both, so the duplicate is
# harmless: let publish keep one instead of stopping with NETSDK1152.
RUN dotnet publish Silo/Silo.csproj -c Release -r "$(cat /tmp/rid)" --self-contained false --no-restore \
      -p:ErrorOnDuplicatePublishOutputFiles=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# HTTP (portal, API, /health, /dashboard), silo-to-silo, client gateway.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080 11111 30000
# The non-root user the .NET images provide (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "Procurement.Silo.dll"]

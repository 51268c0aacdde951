# syntax=docker/dockerfile:1
# The portal on its own: an Orleans client of the silos (gateways found in the membership table).
# Build context is the repository root:
#   docker build -f deploy/docker/portal.Dockerfile -t procurement-portal:local .
# Ignore rules: deploy/docker/portal.Dockerfile.dockerignore (BuildKit reads <Dockerfile>.dockerignore).

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files only, so a code change does not invalidate the package layer.
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY Contracts/Contracts.csproj Contracts/
COPY BidPortal/BidPortal.csproj BidPortal/
RUN dotnet restore BidPortal/BidPortal.csproj

COPY Contracts/ Contracts/
COPY BidPortal/ BidPortal/
# No native libraries: a portable (RID-less) framework-dependent publish runs on amd64 and arm64 alike.
RUN dotnet publish BidPortal/BidPortal.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The non-root user the .NET images provide (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "Procurement.BidPortal.dll"]

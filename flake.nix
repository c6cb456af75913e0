# bpftop's Nix flake.
#   nix build            bin/bpftop for NixOS (nixpkgs' libbpf) + the capability launcher
#   nix build .#static   the self-contained binary scripts/build.sh makes, for other distributions
#   nix develop          everything the build, the BPF object and the tests use
#   nixosModules.default programs.bpftop.{enable,package,group,allowFreeze} (nix/module.nix)
{
  description = "bpftop: an eBPF-powered top for Linux (processes, connections, process events)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      # The packages need OpenTUI's native library for the system in
      # package-lock.json; the lockfile carries only the x86-64 one for now.
      packageSystems = [ "x86_64-linux" ];
      forAll = list: f: nixpkgs.lib.genAttrs list (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAll packageSystems (pkgs: {
        default = pkgs.callPackage ./nix/package.nix { };
        static = pkgs.callPackage ./nix/package.nix { static = true; };
      });

      devShells = forAll systems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [ bun nodejs clang llvm bpftools libbpf elfutils zlib tmux strace hyperfine htop libcap util-linux ];
        };
      });

      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nix/module.nix ];
        programs.bpftop.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };
    };
}

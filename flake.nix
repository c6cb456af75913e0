# bpftop's Nix flake. For now: a development shell with everything the build,
# the BPF object and the tests use. The package outputs (default and static)
# and the NixOS module with its capability wrapper come with the packaging
# work (see the README's "Installing").
{
  description = "bpftop: an eBPF-powered top for Linux (processes, connections, process events)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [ bun nodejs clang llvm bpftools libbpf elfutils zlib tmux strace hyperfine htop ];
        };
      });
    };
}

# NixOS module: programs.bpftop.enable lets the members of one group run
# bpftop without sudo. Membership in that group is equivalent to root.
#
# The capabilities go to bpftop's small C launcher through security.wrappers,
# never to the Bun-compiled binary: Bun obeys BUN_OPTIONS, BUN_BE_BUN,
# BUN_INSPECT and a bunfig.toml or .env in the working directory, any of which
# would let a caller run their own code with the capabilities. The launcher
# raises them to ambient, scrubs the environment, changes to / and execs the
# binary from the Nix store (see launcher/bpftop-launcher.c).
{ config, lib, pkgs, ... }:

let
  cfg = config.programs.bpftop;
  capabilities = [ "cap_bpf" "cap_perfmon" "cap_kill" "cap_sys_resource" ]
    ++ lib.optionals cfg.allowFreeze [ "cap_sys_admin" "cap_dac_override" ];
in
{
  options.programs.bpftop = {
    enable = lib.mkEnableOption "bpftop for the members of programs.bpftop.group (equivalent to root)";

    package = lib.mkOption {
      type = lib.types.package;
      # nixpkgs' own `bpftop` is a different program (Netflix's BPF monitor).
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The bpftop package; it must provide libexec/bpftop/bpftop-launcher.";
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "bpftop";
      description = "Group whose members may run bpftop. Membership is equivalent to root.";
    };

    allowFreeze = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Also grant CAP_SYS_ADMIN and CAP_DAC_OVERRIDE, which freezing and thawing
        cgroups needs (cgroup.freeze files belong to root).
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    users.groups.${cfg.group} = { };

    # /run/wrappers/bin/bpftop: root:GROUP, mode 0510; permitted capabilities
    # only (+p), which the launcher raises itself.
    security.wrappers.bpftop = {
      owner = "root";
      group = cfg.group;
      permissions = "u+rx,g+x";
      capabilities = "${lib.concatStringsSep "," capabilities}+p";
      source = "${cfg.package}/libexec/bpftop/bpftop-launcher";
    };
  };
}

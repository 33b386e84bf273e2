#!/usr/bin/env python3
"""
How golden/*.yaml were written: each is Talos's own recorded output for the same secrets bundle
(talos-stability/v1.X/base-*.yaml, copied from siderolabs/talos v1.14.0-rc.1
pkg/machinery/config/types/v1alpha1/testdata/stability/), edited by hand for the extra
`talosctl gen config` flags (see generate.test.ts flagsInput), each edit citing the Go line
(pkg/machinery/config/generate/*.go at v1.14.0-rc.1) it follows. Minos's generator plays no part.
Run from this directory: python3 derive-goldens.py
"""
IMG = "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"


def one(s, old, new):
    assert s.count(old) == 1, (old, s.count(old))
    return s.replace(old, new)


for v in ["1.10", "1.11", "1.12", "1.13", "1.14"]:
    m = int(v.split(".")[1])
    for role in ["controlplane", "worker"]:
        cp = role == "controlplane"
        s = open(f"talos-stability/v{v}/base-{role}.yaml").read()
        img = f"{IMG}:v{v}.0"
        # generate.go NewInput: AdditionalMachineCertSANs = --additional-sans; init.go:40 / worker.go:34.
        s = one(s, "    certSANs: []\n", "    certSANs:\n        - lb.example.com\n        - 10.5.0.100\n")
        # "%s:v%s" images (init.go:37, worker.go:36, kubernetes.go:99-113,185): --kubernetes-version, v trimmed by gen config.
        s = s.replace("v1.28.0", "v1.33.1")
        # init.go:138, worker.go:115, kubernetes.go:95,164: the endpoint URL as given.
        s = s.replace("https://base:6443", "https://10.5.0.2:6443")
        s = s.replace("clusterName: base\n", "clusterName: minos-golden\n")
        # init.go:162, worker.go:120, kubernetes.go:189: --dns-domain.
        s = s.replace("dnsDomain: cluster.local\n", "dnsDomain: example.internal\n")
        if m <= 12:
            # network.go:54: machine.network.kubespan.enabled before KubeSpanMultidocConfig (> 1.12).
            s = one(s, "    network: {}\n", "    network:\n        kubespan:\n            enabled: true\n")
        if m <= 13:
            # init.go:43-44, worker.go:51-52: InstallConfig fields disk, extraKernelArgs, image, ..., wipe (struct order).
            s = one(s, "    install:\n        wipe: false\n", f"    install:\n        disk: /dev/nvme0n1\n        image: {img}\n        wipe: false\n")
        if m <= 11:
            # registry.go:40: machine.registries.mirrors[host] before MultidocNetworkConfigSupported (> 1.11);
            # a Go map (keys sorted); options.go WithRegistryMirror appends endpoints of a repeated host.
            s = one(s, "    features:\n",
                    "    registries:\n        mirrors:\n            docker.io:\n                endpoints:\n"
                    "                    - https://mirror.example.com\n                    - https://mirror2.example.com\n"
                    "            ghcr.io:\n                endpoints:\n                    - https://ghcr.mirror.example.com\n"
                    "    features:\n")
        if cp and m <= 13:
            if m <= 11:
                # generate.go:51: PopulateClusterSANsFromEndpoint (<= 1.11) puts the endpoint's host first.
                s = one(s, "        certSANs:\n            - base\n",
                        "        certSANs:\n            - 10.5.0.2\n            - lb.example.com\n            - 10.5.0.100\n")
            else:
                # init.go:142: APIServerConfig.ExtraCertSANs (field after image; omitempty, absent in base).
                s = one(s, "        image: registry.k8s.io/kube-apiserver:v1.33.1\n",
                        "        image: registry.k8s.io/kube-apiserver:v1.33.1\n        certSANs:\n            - lb.example.com\n            - 10.5.0.100\n")
        if m >= 12:
            # registry.go:76,116: one RegistryMirrorConfig per host, sorted by kind then name, before
            # network.go's HostnameConfig; network.go:48: KubeSpanConfig after it from 1.13.
            mirrors = ("---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: docker.io\nendpoints:\n"
                       "    - url: https://mirror.example.com\n    - url: https://mirror2.example.com\n"
                       "---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: ghcr.io\nendpoints:\n"
                       "    - url: https://ghcr.mirror.example.com\n")
            hostname = "---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n"
            kubespan = "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n" if m >= 13 else ""
            s = one(s, hostname, mirrors + hostname + kubespan)
        if m == 14:
            # init.go:301,310 unattendedInstallConfig: installer.image, provisioning.diskSelector.match
            # `disk.dev_path == %q`, wipe false; appended after DiscoveryIdentityConfig, before ResolverConfig.
            s = one(s, "---\napiVersion: v1alpha1\nkind: ResolverConfig\n",
                    f"---\napiVersion: v1alpha1\nkind: UnattendedInstallConfig\ninstaller:\n    image: {img}\n"
                    "provisioning:\n    diskSelector:\n        match: disk.dev_path == \"/dev/nvme0n1\"\n    wipe: false\n"
                    "---\napiVersion: v1alpha1\nkind: ResolverConfig\n")
            if cp:
                # kubernetes.go:100: KubeAPIServerConfig.certExtraSANs (after image and apiPort).
                s = one(s, "kind: KubeAPIServerConfig\nimage: registry.k8s.io/kube-apiserver:v1.33.1\n",
                        "kind: KubeAPIServerConfig\nimage: registry.k8s.io/kube-apiserver:v1.33.1\ncertExtraSANs:\n    - lb.example.com\n    - 10.5.0.100\n")
        open(f"golden/v{v}-{role}.yaml", "w").write(s)

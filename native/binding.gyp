{
  "targets": [
    {
      "target_name": "nova_native",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/args.cc",
        "src/fifo.cc",
        "src/sockets.cc",
        "src/frames.cc",
        "src/shm.cc",
        "src/env-state.cc",
        "src/futex-pool.cc",
        "src/futex.cc",
        "src/watch.cc",
        "src/fdpass.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
      "ldflags": ["-Wl,-z,nodelete", "-pthread"]
    }
  ]
}

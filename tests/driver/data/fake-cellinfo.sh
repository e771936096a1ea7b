#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fake memattr-cellinfo: its own identity lines.
echo "@@MEMATTR ID fake_cellinfo=yes"
echo "@@MEMATTR ID kvm_api_version=12"

// Package fwupd is tend's firmware provider: it scans and updates device
// firmware through fwupd (the Linux Vendor Firmware Service's daemon),
// running fwupdmgr on the target through tend's transport, argv only.
//
// Every device fwupd knows is an installed item whose id is its fwupd
// DeviceId; policies and plans name it by its vendor and device name
// ("ACME Corp. Integrated Webcam™"), so approve.packages globs can choose
// firmware by vendor ("Lenovo *") or device ("* System Firmware"). Its
// newest upgrade is an available update with classification "firmware",
// the release's LVFS urgency as severity (critical, high, medium, low)
// and reboot_required from the device's needs-reboot and needs-shutdown
// flags. Updates that need a person (a pending activation or reboot, AC
// power, a battery, an open lid, a button to press) are never planned: the
// scan warns that they are not applicable and why. Versions order as fwupd
// orders them (version scheme "fwupd").
package fwupd

/**
 * Gateway high availability: following the VRRP virtual address keepalived moves ({@code FollowAddressWatch}), the
 * role it gives ({@code Role}) and the state operators read ({@code HaState}). The daemon applies the role to its
 * overlays; nothing here touches packets.
 */
package io.ocbridge.core.ha;

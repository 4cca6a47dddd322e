//! The life of an upload: `pending` (link issued) → `uploading` (confirmation under way) →
//! `completed`, `failed` or `virus_detected`; a completed file can be `deleted`. An upload
//! never confirmed ends `failed` when its link expires.

use serde::{Deserialize, Serialize};
use shared_domain::transitions::StateMachine;

/// An upload's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    Pending,
    Uploading,
    Completed,
    Failed,
    VirusDetected,
    Deleted,
}

impl StateMachine for UploadStatus {
    const MACHINE: &'static str = "uploadStatus";
    const TRANSITIONS: &'static [(Self, Self)] = &[
        (Self::Pending, Self::Uploading),
        (Self::Pending, Self::Failed),
        (Self::Uploading, Self::Uploading),
        (Self::Uploading, Self::Completed),
        (Self::Uploading, Self::Failed),
        (Self::Uploading, Self::VirusDetected),
        (Self::Completed, Self::Deleted),
    ];
}

impl UploadStatus {
    /// Whether the confirmation has decided (a repeated confirmation answers the decision).
    pub fn is_decided(self) -> bool {
        !matches!(self, Self::Pending | Self::Uploading)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_decides_once() {
        let uploading = UploadStatus::Pending
            .transition(UploadStatus::Uploading)
            .unwrap();
        assert_eq!(
            uploading.transition(UploadStatus::Uploading),
            Ok(UploadStatus::Uploading)
        );
        let done = uploading.transition(UploadStatus::Completed).unwrap();
        assert!(done.is_decided());
        assert!(done.transition(UploadStatus::Failed).is_err());
        assert!(UploadStatus::VirusDetected
            .transition(UploadStatus::Deleted)
            .is_err());
    }
}
